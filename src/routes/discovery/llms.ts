import { createRoute } from '@hono/zod-openapi';
import { buildLlmsFullTxt, buildLlmsTxt } from '../../discovery/llms';
import { defineRoute, FREE } from '../registry';
import { answerMarkdown, markdownContent, TAGS } from './responses';

/** `GET /llms.txt`: the service, how to pay, and every endpoint with its price and an example. */
export const llmsTxtRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/llms.txt',
    tags: TAGS,
    summary: 'Guide for agents',
    description:
      'Markdown: what the service is, how to pay step by step with curl, how to call it from the MCP tool execute_x402_endpoint, and every endpoint with price and example.',
    responses: markdownContent('llms.txt'),
  }),
  pricing: FREE,
  handler: (c) => answerMarkdown(c, 'llms.txt', buildLlmsTxt),
});

/** `GET /llms-full.txt`: llms.txt with every endpoint's schemas and every error code. */
export const llmsFullTxtRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/llms-full.txt',
    tags: TAGS,
    summary: 'Full guide for agents',
    description: 'llms.txt plus each endpoint’s request and answer schemas and every error code.',
    responses: markdownContent('llms-full.txt'),
  }),
  pricing: FREE,
  handler: (c) => answerMarkdown(c, 'llms-full.txt', buildLlmsFullTxt),
});
