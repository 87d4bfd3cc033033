/**
 * `GET /.well-known/agent.json`: an agent card (the A2A discovery convention) with URLs on the
 * request's origin, one skill per route group, and how to pay: protocol, version, network, tokens
 * with their contract ids, price tiers and the x402 headers.
 */
import {
  LEGACY_PAYMENT_HEADER,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  TOKEN_TYPE_HEADER,
  X402_VERSION,
} from '../payment/protocol';
import { assetIdFor, CAIP2_NETWORK, TOKEN_TYPES, TOKENS } from '../stacks/tokens';
import { discoveryLinks } from './openapi';
import { routeFacts } from './route-facts';
import { type DiscoveryContext, SERVICE_NAME, SERVICE_SUMMARY, SERVICE_VERSION } from './service';
import { TOPICS } from './topics';

function skills(context: DiscoveryContext) {
  const groups = new Map<string, string[]>();
  for (const apiRoute of context.routes) {
    const facts = routeFacts(apiRoute);
    groups.set(facts.group, [...(groups.get(facts.group) ?? []), `${facts.method} ${facts.path}`]);
  }
  return [...groups].map(([group, endpoints]) => {
    const topic = Object.hasOwn(TOPICS, group) ? TOPICS[group] : undefined;
    return {
      id: group,
      name: topic?.title ?? group.charAt(0).toUpperCase() + group.slice(1),
      description: topic?.summary ?? `The ${group} routes.`,
      tags: [group, 'x402'],
      endpoints,
      ...(topic ? { guide: `${context.origin}/topics/${group}` } : {}),
    };
  });
}

function payment(context: DiscoveryContext) {
  const { config } = context;
  return {
    protocol: 'x402',
    version: X402_VERSION,
    scheme: 'exact',
    enabled: config !== undefined,
    network: config ? CAIP2_NETWORK[config.network] : null,
    payTo: config?.payTo ?? null,
    tokens: TOKEN_TYPES.map((type) => ({
      type,
      asset: config ? assetIdFor(type, config.network) : null,
      decimals: TOKENS[type].decimals,
      atomicUnit: TOKENS[type].atomicUnit,
    })),
    tiers: {
      free: 'no payment',
      standard: config
        ? Object.fromEntries(TOKEN_TYPES.map((t) => [t, config.standardPrices[t].toString()]))
        : null,
      dynamic: 'priced per request: the 402 quotes the amount per token',
    },
    headers: {
      paymentRequired: PAYMENT_REQUIRED_HEADER,
      paymentSignature: PAYMENT_SIGNATURE_HEADER,
      legacyPayment: LEGACY_PAYMENT_HEADER,
      paymentResponse: PAYMENT_RESPONSE_HEADER,
      tokenType: TOKEN_TYPE_HEADER,
    },
  };
}

export function buildAgentCard(context: DiscoveryContext) {
  const links = discoveryLinks(context.origin);
  return {
    name: SERVICE_NAME,
    description: SERVICE_SUMMARY,
    url: `${context.origin}/`,
    version: SERVICE_VERSION,
    documentationUrl: links.llmsTxt,
    capabilities: { streaming: true, pushNotifications: false },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json', 'text/event-stream'],
    skills: skills(context),
    payment: payment(context),
    links,
  };
}
