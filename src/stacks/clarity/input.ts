/**
 * A Clarity value as a request body gives it, with the consensus bytes it stands for (the bytes
 * SIP-018 hashes, and `to-consensus-buff?` yields on chain):
 *
 * - a string: the hex of those bytes (`0x` optional), decoded as strictly as the node decodes
 *   (deserialize.ts) and accepted only in the spelling the node itself writes. The node reads tuple
 *   fields in any order but writes them in byte order of their names; other bytes would hash to
 *   something no contract computes for the value;
 * - an object: the JSON form (json.ts), or the whole answer of /stacks/decode/clarity, that is the
 *   JSON form with the value's `repr` beside it (then `repr` must be the value's literal).
 */
import type { ClarityValue } from '@stacks/transactions';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { ClarityDecodeError, decodeClarityValue } from './deserialize';
import { clarityRepr } from './format';
import { parseClarityJson } from './json';
import { serializeClarityValue } from './serialize';

export interface ClarityInput {
  value: ClarityValue;
  /** The consensus serialization. */
  serialized: Uint8Array;
}

export type ClarityInputParse = { ok: true; value: ClarityInput } | { ok: false; message: string };

/** Messages start with `path`, the name of the field (`message: …`, `message.value.a: …`). */
export function parseClarityInput(input: unknown, path = 'value'): ClarityInputParse {
  if (typeof input === 'string') return parseClarityHex(input, path);
  const { repr, json } = withoutRepr(input);
  const parsed = parseClarityJson(json, path);
  if (!parsed.ok) return parsed;
  if (repr !== undefined && repr !== clarityRepr(parsed.value)) {
    return {
      ok: false,
      message: `${path}: repr ${JSON.stringify(repr)} is not the value's literal ${JSON.stringify(clarityRepr(parsed.value))}; send the value without repr, or with its own`,
    };
  }
  return {
    ok: true,
    value: { value: parsed.value, serialized: serializeClarityValue(parsed.value) },
  };
}

function parseClarityHex(input: string, path: string): ClarityInputParse {
  const hex = parseHex(input);
  if (!hex.ok) {
    return {
      ok: false,
      message: `${path}: a string must be the hex of a serialized Clarity value: ${hex.reason}`,
    };
  }
  let value: ClarityValue;
  try {
    value = decodeClarityValue(hex.bytes);
  } catch (error) {
    if (!(error instanceof ClarityDecodeError)) throw error;
    return { ok: false, message: `${path}: not a serialized Clarity value: ${error.message}` };
  }
  const serialized = serializeClarityValue(value);
  if (bytesToHex(serialized) !== bytesToHex(hex.bytes)) {
    return {
      ok: false,
      message: `${path}: not the consensus serialization of its value: tuple fields must be in byte order of their names`,
    };
  }
  return { ok: true, value: { value, serialized } };
}

/** Sets aside the `repr` that /stacks/decode/clarity answers beside `type` and `value`. */
function withoutRepr(input: unknown): { repr?: unknown; json: unknown } {
  if (typeof input !== 'object' || input === null || !('repr' in input)) return { json: input };
  const { repr, ...json } = input as Record<string, unknown>;
  return { repr, json };
}
