/**
 * The API's own catalogue, `GET /x402.json` (issue 10): every paid resource with its method, path,
 * group, tier and `accepts`. Read at each call (never a copy kept here), checked for the fields
 * this server uses, and filtered.
 */
import { type FetchFunction, type PaymentRequirements, X402ClientError } from '../client';

export const DISCOVERY_PATH = '/x402.json';

export interface DiscoveredResource {
  /** Absolute URL. */
  resource: string;
  method: string;
  path: string;
  group?: string;
  description?: string;
  tier?: string;
  order?: string;
  /** `quote` for a route priced per request: its `accepts` entries carry no `amount`. */
  pricingMode?: string;
  accepts: DiscoveredRequirement[];
  extensions?: Record<string, unknown>;
}

/** A requirement as listed in the catalogue: `amount` is absent when priced per request. */
export type DiscoveredRequirement = Omit<PaymentRequirements, 'amount'> & { amount?: string };

export interface DiscoveryDocument {
  x402Version: 2;
  service?: { name?: string; version?: string; url?: string };
  network?: string;
  payTo?: string;
  resources: DiscoveredResource[];
}

export interface EndpointFilter {
  group?: string;
  tier?: string;
  method?: string;
  /** Case-insensitive text searched in path, group and description. */
  search?: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `value` is not a discovery document, or undefined when it is one. */
export function describeInvalidDiscovery(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.x402Version !== 2) return `x402Version is ${JSON.stringify(value.x402Version)}, not 2`;
  if (!Array.isArray(value.resources)) return 'resources is not an array';
  const bad = value.resources.findIndex(
    (entry: unknown) =>
      !isObject(entry) ||
      typeof entry.resource !== 'string' ||
      typeof entry.method !== 'string' ||
      typeof entry.path !== 'string' ||
      !Array.isArray(entry.accepts),
  );
  return bad === -1 ? undefined : `resources[${bad}] lacks resource, method, path or accepts`;
}

export async function fetchDiscovery(
  fetchFn: FetchFunction,
  apiUrl: string,
): Promise<DiscoveryDocument> {
  const url = `${apiUrl.replace(/\/+$/, '')}${DISCOVERY_PATH}`;
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' } });
    text = await response.text();
  } catch (error) {
    throw new X402ClientError('resource_unreachable', `cannot reach ${url}`, { cause: error });
  }
  if (response.status !== 200) {
    throw new DiscoveryError(`GET ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DiscoveryError(`GET ${url} did not answer JSON`);
  }
  const invalid = describeInvalidDiscovery(body);
  if (invalid !== undefined) throw new DiscoveryError(`GET ${url}: the document ${invalid}`);
  return body as DiscoveryDocument;
}

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly code = 'discovery_unavailable';
}

const same = (a: string | undefined, b: string | undefined) =>
  b === undefined || a?.toLowerCase() === b.toLowerCase();

export function filterResources(
  resources: readonly DiscoveredResource[],
  filter: EndpointFilter,
): DiscoveredResource[] {
  const text = filter.search?.toLowerCase();
  return resources.filter(
    (entry) =>
      same(entry.group, filter.group) &&
      same(entry.tier, filter.tier) &&
      same(entry.method, filter.method) &&
      (text === undefined ||
        [entry.path, entry.group, entry.description].some((field) =>
          field?.toLowerCase().includes(text),
        )),
  );
}
