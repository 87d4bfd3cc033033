/**
 * Clarity values and contract ABIs as the Stacks API prints them (`repr`, `hex`, type strings,
 * function signatures), and the argument check a node runs before admitting a contract call
 * (`BadFunctionArgument`). A value's `repr` and bytes are the Worker's own (src/stacks/clarity):
 * the node's spelling and byte order, which the Stacks API passes through. Only what the Stacks
 * API adds is here: the `{hex, repr}` pair and the spelling of ABI types.
 */
import type { ClarityValue } from '@stacks/transactions';
import { bytesToHex } from '../src/encoding/hex.ts';
import { clarityRepr } from '../src/stacks/clarity/format.ts';
import { serializeClarityValue } from '../src/stacks/clarity/serialize.ts';
import type { ContractInterface } from './simnet-ledger.ts';

export type ContractFunction = ContractInterface['functions'][number];
export type AbiType = ContractFunction['args'][number]['type'];

/** `{hex, repr}`, the Stacks API's pair for a Clarity value. */
export function hiroClarityValue(value: ClarityValue): { hex: string; repr: string } {
  return { hex: `0x${bytesToHex(serializeClarityValue(value))}`, repr: clarityRepr(value) };
}

/** The Clarity spelling of an ABI type: `uint`, `(buff 34)`, `(optional (buff 34))`. */
export function abiTypeString(type: AbiType): string {
  if (typeof type === 'string') {
    if (type === 'int128') return 'int';
    if (type === 'uint128') return 'uint';
    return type;
  }
  if ('buffer' in type) return `(buff ${type.buffer.length})`;
  if ('string-ascii' in type) return `(string-ascii ${type['string-ascii'].length})`;
  if ('string-utf8' in type) return `(string-utf8 ${type['string-utf8'].length})`;
  if ('optional' in type) return `(optional ${abiTypeString(type.optional)})`;
  if ('response' in type) {
    return `(response ${abiTypeString(type.response.ok)} ${abiTypeString(type.response.error)})`;
  }
  if ('list' in type) return `(list ${type.list.length} ${abiTypeString(type.list.type)})`;
  return `(tuple${type.tuple.map((entry) => ` (${entry.name} ${abiTypeString(entry.type)})`).join('')})`;
}

export function functionSignature(fn: ContractFunction): string {
  const access = fn.access === 'read_only' ? 'read-only' : fn.access;
  const args = fn.args.map((arg) => ` (${arg.name} ${abiTypeString(arg.type)})`).join('');
  return `(define-${access} (${fn.name}${args}))`;
}

/** Returns why the arguments do not fit the function's signature, or undefined if they do. */
export function argumentsError(
  fn: ContractFunction,
  args: readonly ClarityValue[],
): string | undefined {
  if (args.length !== fn.args.length) {
    return `IncorrectArgumentCount(${fn.args.length}, ${args.length})`;
  }
  for (const [index, arg] of fn.args.entries()) {
    const value = args[index];
    if (!fitsType(value, arg.type)) {
      return `TypeValueError(${abiTypeString(arg.type)}, ${clarityRepr(value)}) for argument ${arg.name}`;
    }
  }
  return undefined;
}

function fitsType(value: ClarityValue, type: AbiType): boolean {
  if (typeof type === 'string') {
    switch (type) {
      case 'int128':
        return value.type === 'int';
      case 'uint128':
        return value.type === 'uint';
      case 'bool':
        return value.type === 'true' || value.type === 'false';
      case 'principal':
        return value.type === 'address' || value.type === 'contract';
      case 'trait_reference':
        return value.type === 'contract';
      case 'none':
        return value.type === 'none';
    }
  }
  if ('buffer' in type)
    return value.type === 'buffer' && value.value.length / 2 <= type.buffer.length;
  if ('string-ascii' in type) {
    return value.type === 'ascii' && value.value.length <= type['string-ascii'].length;
  }
  if ('string-utf8' in type) {
    return value.type === 'utf8' && [...value.value].length <= type['string-utf8'].length;
  }
  if ('optional' in type) {
    return value.type === 'none' || (value.type === 'some' && fitsType(value.value, type.optional));
  }
  if ('response' in type) {
    if (value.type === 'ok') return fitsType(value.value, type.response.ok);
    return value.type === 'err' && fitsType(value.value, type.response.error);
  }
  if ('list' in type) {
    return (
      value.type === 'list' &&
      value.value.length <= type.list.length &&
      value.value.every((item) => fitsType(item, type.list.type))
    );
  }
  if (value.type !== 'tuple') return false;
  const keys = Object.keys(value.value);
  return (
    keys.length === type.tuple.length &&
    type.tuple.every(
      (entry) => entry.name in value.value && fitsType(value.value[entry.name], entry.type),
    )
  );
}
