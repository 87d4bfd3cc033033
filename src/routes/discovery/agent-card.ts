import { createRoute } from '@hono/zod-openapi';
import { buildAgentCard } from '../../discovery/agent-card';
import { defineRoute, FREE } from '../registry';
import { answerJson, jsonContent, TAGS } from './responses';

/** `GET /.well-known/agent.json`: the agent card. */
export const agentCardRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/.well-known/agent.json',
    tags: TAGS,
    summary: 'Agent card',
    description:
      'Name, URLs on this origin, one skill per route group, and how to pay: x402 v2, network, tokens with contract ids, tiers and headers.',
    responses: jsonContent('The agent card'),
  }),
  pricing: FREE,
  handler: (c) => answerJson(c, 'agent-card', buildAgentCard) as never,
});
