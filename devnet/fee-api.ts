/**
 * The node's fee estimation (`POST /v2/fees/transaction`, stacks-core
 * stackslib/src/net/api/postfeerate.rs), which @stacks/transactions calls whenever a builder is not
 * given a fee: request `{transaction_payload: "<hex of the serialized payload>", estimated_len?}`,
 * answer `{estimated_cost, estimated_cost_scalar, cost_scalar_change_by_byte, estimations}` with
 * three estimations (low, middle, high), each `{fee_rate, fee}`.
 *
 * The devnet's blocks are never full, so its rates are the minimum relay rate (1 µSTX per byte,
 * the same as `GET /v2/fees/transfer`) and twice and four times that; the fee is the rate times
 * the transaction's length (the payload's, or `estimated_len` when larger).
 */
import { BytesReader, Cl, deserializePayload, PayloadType } from '@stacks/transactions';
import { type Handler, isRecord, jsonBody } from './http.ts';

/** µSTX per byte: the relay minimum, as `GET /v2/fees/transfer` answers. */
export const MIN_FEE_RATE = 1;
const RATE_MULTIPLIERS = [1, 2, 4] as const;
/** A transaction's bytes besides its payload: header, single-sig auth, modes, empty list. */
const NON_PAYLOAD_BYTES = 1 + 4 + 1 + 1 + 20 + 8 + 8 + 1 + 65 + 1 + 1 + 4;

export const transactionFee: Handler = (_chain, request) => {
  const body = jsonBody(request);
  if (!isRecord(body) || typeof body.transaction_payload !== 'string') {
    return badRequest('Failed to parse JSON body: expected transaction_payload');
  }
  const digits = body.transaction_payload.replace(/^0x/, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return badRequest('Invalid transaction_payload hex');
  const bytes = Uint8Array.from(Buffer.from(digits, 'hex'));
  let payloadType: PayloadType;
  try {
    const reader = new BytesReader(bytes);
    payloadType = deserializePayload(reader).payloadType;
    if (reader.consumed !== bytes.length) throw new Error('trailing bytes after the payload');
  } catch (error) {
    return badRequest(`Failed to deserialize transaction payload: ${(error as Error).message}`);
  }
  const estimatedLength =
    typeof body.estimated_len === 'number' && Number.isInteger(body.estimated_len)
      ? body.estimated_len
      : 0;
  const length = Math.max(bytes.length + NON_PAYLOAD_BYTES, estimatedLength);
  // A token transfer reads and writes two balances; a contract call a few entries more.
  const isCall = payloadType === PayloadType.ContractCall;
  const estimatedCost = {
    write_length: isCall ? 350 : 0,
    write_count: isCall ? 5 : 0,
    read_length: isCall ? 19_000 : 0,
    read_count: isCall ? 8 : 0,
    runtime: isCall ? 140_000 : 0,
  };
  return {
    status: 200,
    json: {
      estimated_cost: estimatedCost,
      estimated_cost_scalar: isCall ? 14 : 1,
      cost_scalar_change_by_byte: 0.00476837158203125,
      estimations: RATE_MULTIPLIERS.map((multiplier) => {
        const feeRate = MIN_FEE_RATE * multiplier;
        return { fee_rate: feeRate, fee: feeRate * length };
      }),
    },
  };
};

function badRequest(message: string) {
  return {
    status: 400,
    json: { error: 'Invalid request', reason: 'InvalidPayload', reason_data: { message } },
  };
}

/**
 * `POST /v2/map_entry/{address}/{contract}/{map}` (stacks-core getmapentry.rs), which
 * `fetchContractMapEntry` calls: the body is the JSON string of the hex-serialized key; the answer
 * is `{data: "0x<serialized (optional value)>"}`. A key with no entry, in a map or contract that
 * does not exist included, is `none` (0x09), as the node answers. The devnet's token contracts
 * define no maps, so every entry is `none`.
 */
export const mapEntry: Handler = (_chain, request) => {
  const body = jsonBody(request);
  const digits = typeof body === 'string' ? body.replace(/^0x/, '') : '';
  if (!/^([0-9a-fA-F]{2})+$/.test(digits)) {
    return { status: 400, text: 'Failed to parse map key: expected a JSON string of hex' };
  }
  try {
    const key = Cl.deserialize(digits);
    if (Cl.serialize(key) !== digits.toLowerCase()) throw new Error('trailing bytes');
  } catch {
    return { status: 400, text: 'Failed to deserialize map key' };
  }
  const withProof = request.url.searchParams.get('proof') !== '0';
  return {
    status: 200,
    json: {
      // No devnet contract defines a map (devnet/contracts/), so no key has an entry.
      data: `0x${Cl.serialize(Cl.none())}`,
      ...(withProof ? { proof: '' } : {}),
    },
  };
};
