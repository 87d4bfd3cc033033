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

/**
 * The nonce to sign with, from `GET /extended/v1/address/{address}/nonces`: the lowest of
 * `detected_missing_nonces` when the payer has a gap (a transaction signed past it would never be
 * mined, and a server refuses it), else `possible_next_nonce` (which counts the mempool).
 */
export async function fetchNextNonce(
  fetchFn: FetchFunction,
  stacksApiUrl: string,
  address: string,
): Promise<bigint> {
  const url = `${stacksApiUrl}/extended/v1/address/${address}/nonces`;
  const body = (await getJson(fetchFn, url)) as {
    possible_next_nonce?: unknown;
    detected_missing_nonces?: unknown;
  } | null;
  const nonce = typeof body === 'object' && body !== null ? body.possible_next_nonce : undefined;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || nonce < 0) {
    throw new X402ClientError('stacks_api_error', `no possible_next_nonce in GET ${url}`);
  }
  const missing = Array.isArray(body?.detected_missing_nonces)
    ? body.detected_missing_nonces.filter(
        (n): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n < nonce,
      )
    : [];
  return BigInt(missing.length > 0 ? Math.min(...missing) : nonce);
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
