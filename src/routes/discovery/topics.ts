import { createRoute, z } from '@hono/zod-openapi';
import { buildTopic, buildTopicIndex, TOPIC_NAMES } from '../../discovery/topics';
import { jsonError } from '../../payment/http-responses';
import { ErrorSchema } from '../../schemas/errors';
import { defineRoute, FREE } from '../registry';
import { answerMarkdown, markdownContent, TAGS } from './responses';

/** `GET /topics`: the list of guides. */
export const topicIndexRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/topics',
    tags: TAGS,
    summary: 'Guides',
    description: 'Markdown list of the short guides, one per topic.',
    responses: markdownContent('The list of guides'),
  }),
  pricing: FREE,
  handler: (c) => answerMarkdown(c, 'topics', buildTopicIndex),
});

const TopicParamsSchema = z.object({
  topic: z.string().openapi({
    param: { name: 'topic', in: 'path' },
    description: `One of: ${TOPIC_NAMES.join(', ')}.`,
    example: 'payment-flow',
  }),
});

/** `GET /topics/{topic}`: one guide; an unknown name is a 404 that lists the names. */
export const topicRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/topics/{topic}',
    tags: TAGS,
    summary: 'Guide',
    description: 'A short markdown guide, with the endpoints of its topic and their prices.',
    request: { params: TopicParamsSchema },
    responses: {
      ...markdownContent('The guide'),
      404: {
        description: '`unknown_topic`: no guide by that name; the message lists them',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    },
  }),
  pricing: FREE,
  handler: (c) => {
    const { topic } = c.req.valid('param');
    if (!TOPIC_NAMES.includes(topic)) {
      return jsonError(
        404,
        'unknown_topic',
        `There is no guide named ${JSON.stringify(topic)}; the guides are ${TOPIC_NAMES.join(', ')} (GET /topics).`,
      );
    }
    return answerMarkdown(c, `topic:${topic}`, (context) => buildTopic(context, topic) ?? '');
  },
});
