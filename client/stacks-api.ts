/**
 * The two Stacks API reads a payment needs: the payer's next nonce and the current fee rate.
 * Paths follow the Hiro Stacks API and the Stacks node, which the local devnet also serves.
 */
import { X402ClientError } from './errors';

export type FetchFunction = typeof globalThis.fetch;

async function getJson(fetchFn: FetchFunction, url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new X402ClientError('stacks_api_unreachable', `cannot reach the Stacks API at ${url}`, {
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new X402ClientError(
      'stacks_api_error',
      `the Stacks API answered ${response.status} to GET ${url}: ${text.slice(0, 200)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new X402ClientError('stacks_api_error', `the Stacks API sent non-JSON for GET ${url}`);
  }
}

/** `possible_next_nonce` of `GET /extended/v1/address/{address}/nonces` (counts the mempool). */
export async function fetchNextNonce(
  fetchFn: FetchFunction,
  stacksApiUrl: string,
  address: string,
): Promise<bigint> {
  const url = `${stacksApiUrl}/extended/v1/address/${address}/nonces`;
  const body = await getJson(fetchFn, url);
  const nonce =
    typeof body === 'object' && body !== null && 'possible_next_nonce' in body
      ? body.possible_next_nonce
      : undefined;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || nonce < 0) {
    throw new X402ClientError('stacks_api_error', `no possible_next_nonce in GET ${url}`);
  }
  return BigInt(nonce);
}

/** Fee rate in µSTX per byte from `GET /v2/fees/transfer` (the node answers a bare JSON number). */
export async function fetchFeeRate(fetchFn: FetchFunction, stacksApiUrl: string): Promise<number> {
  const url = `${stacksApiUrl}/v2/fees/transfer`;
  const rate = await getJson(fetchFn, url);
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new X402ClientError('stacks_api_error', `GET ${url} did not answer a fee rate`);
  }
  return rate;
}
