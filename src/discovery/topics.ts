/**
 * `GET /topics` and `GET /topics/{topic}`: short guides in markdown. The prose is written here;
 * the endpoints each guide lists come from the route registry, with their prices.
 */
import type { ApiRoute } from '../routes/registry';
import { endpointLine, endpointSection } from './endpoint-text';
import { paymentSteps } from './llms';
import { routeFacts } from './route-facts';
import type { DiscoveryContext } from './service';

interface Topic {
  title: string;
  summary: string;
  /** Which routes the guide lists. */
  routes: (apiRoute: ApiRoute) => boolean;
  /** Written guidance before the endpoint list. */
  body: (context: DiscoveryContext) => string;
}

const inGroup = (group: string) => (apiRoute: ApiRoute) => routeFacts(apiRoute).group === group;

export const TOPICS: Record<string, Topic> = {
  'payment-flow': {
    title: 'Paying for a call',
    summary: 'The x402 v2 flow on Stacks: the 402, the signed transaction, the receipt, retries.',
    routes: (apiRoute) => routeFacts(apiRoute).group === 'payments',
    body: (context) =>
      `${paymentSteps(context)}\n\nSettlement order: \`authorization\` routes (reads, pure computation) settle after the handler succeeded, so a failure is never charged; \`upfront\` routes (writes, inference) settle first and record a failure after settlement as owed to you.`,
  },
  hashing: {
    title: 'Hashing',
    summary: 'SHA-256, SHA-512, SHA-512/256, Keccak-256, HASH160 and RIPEMD-160 of text or bytes.',
    routes: inGroup('hashing'),
    body: () =>
      '`data` is UTF-8 text, or bytes written `0x` + hex (malformed hex is a free 400, never hashed as zero bytes). `encoding` chooses hex (default, 0x-prefixed) or base64 output. SHA-512/256 is the FIPS 180-4 function Stacks uses for txids, not truncated SHA-512.',
  },
  stacks: {
    title: 'Stacks',
    summary: 'Addresses, Clarity values, transactions, signatures, profiles and read-only calls.',
    routes: inGroup('stacks'),
    body: () =>
      'Decoders and verifiers are pure computation (SIP-005 serialisation, SIP-018 structured data, signed messages): a request they cannot decode is a free 400. Profiles, transaction status and read-only calls read the Stacks API; when it fails the call is not charged.',
  },
  storage: {
    title: 'Storage',
    summary: 'Per-payer KV, pastes, locks, queues, SQL and semantic memory.',
    routes: inGroup('storage'),
    body: () =>
      'Your Stacks address (the payer of each call) is your namespace: nobody else reaches your data, and you need no account. Writes settle first; reads settle after they succeeded. Quotas are checked before settlement, so a refused write is never charged.',
  },
  inference: {
    title: 'Inference',
    summary: 'Chat with OpenRouter models (priced per request) and Workers AI models.',
    routes: inGroup('inference'),
    body: () =>
      'The OpenRouter chat is priced per request from the model, an estimate of the prompt tokens and your `max_tokens`; send it unpaid and the 402 quotes the amount, and the model is called with exactly the `max_tokens` that was priced. The model lists are free. A model failure after settlement is recorded as owed.',
  },
};

export const TOPIC_NAMES = Object.keys(TOPICS);

export function buildTopicIndex(context: DiscoveryContext): string {
  const lines = TOPIC_NAMES.map((name) => {
    const topic = TOPICS[name];
    return `- [${topic?.title}](${context.origin}/topics/${name}): ${topic?.summary}`;
  });
  return `# Guides\n\n${lines.join('\n')}\n`;
}

export function buildTopic(context: DiscoveryContext, name: string): string | undefined {
  const topic = Object.hasOwn(TOPICS, name) ? TOPICS[name] : undefined;
  if (!topic) return undefined;
  const routes = context.routes.filter(topic.routes);
  const list = routes.map((apiRoute) => endpointLine(context, apiRoute)).join('\n');
  const first = routes.find(({ pricing }) => pricing.tier !== 'free') ?? routes[0];
  return [
    `# ${topic.title}`,
    `> ${topic.summary}`,
    topic.body(context),
    `## Endpoints\n\n${list || 'None on this server.'}`,
    first ? `## Example\n\n${endpointSection(context, first, false)}` : '',
    '',
  ].join('\n\n');
}
