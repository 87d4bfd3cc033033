/**
 * `POST /v2/contracts/call-read/{address}/{contract}/{function}` as stacks-core answers it
 * (stackslib/src/net/api/callreadonly.rs): request errors are HTTP 400 with a plain-text message;
 * a call the VM refuses is HTTP 200 `{"okay": false, "cause": "<the VM error, Debug-printed>"}`;
 * a call that runs is `{"okay": true, "result": "0x<serialized Clarity value>"}`.
 */
import { Cl, type ClarityValue } from '@stacks/transactions';
import type { DevnetChain } from './chain.ts';
import { type DevnetRequest, isPrincipal, isRecord, jsonBody, type Reply } from './http.ts';

export async function callReadOnly(
  chain: DevnetChain,
  request: DevnetRequest,
  contractId: string,
  functionName: string,
): Promise<Reply> {
  if (request.body.length === 0) {
    return badRequest('Invalid Http request: invalid body length for CallReadOnly (0)');
  }
  if (!request.contentType.includes('json')) {
    return badRequest('Invalid content-type: expected application/json');
  }
  if (!isPrincipal(contractId) || !contractId.includes('.')) {
    return badRequest(`Invalid contract identifier ${contractId}`);
  }
  const body = jsonBody(request);
  if (!isRecord(body) || typeof body.sender !== 'string' || !Array.isArray(body.arguments)) {
    return badRequest('Failed to parse JSON body');
  }
  if (!isPrincipal(body.sender)) return badRequest('Failed to parse sender principal');
  const args = decodeArguments(body.arguments);
  if (!args) return badRequest('Failed to deserialize argument value');

  const refusal = refusalFromInterface(chain, contractId, functionName);
  if (refusal) return { status: 200, json: { okay: false, cause: refusal } };
  try {
    const result = await chain.callReadOnly(contractId, functionName, args, body.sender);
    return { status: 200, json: { okay: true, result: `0x${Cl.serialize(result)}` } };
  } catch (error) {
    return { status: 200, json: { okay: false, cause: vmCause(error) } };
  }
}

function badRequest(message: string): Reply {
  return { status: 400, text: message };
}

/** Each argument is the hex of a serialized Clarity value (`0x` optional), as stacks-core reads it. */
function decodeArguments(hexes: unknown[]): ClarityValue[] | undefined {
  const values: ClarityValue[] = [];
  for (const hex of hexes) {
    if (typeof hex !== 'string') return undefined;
    const digits = hex.replace(/^0x/, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return undefined;
    try {
      const value = Cl.deserialize(digits);
      // The decoder ignores trailing bytes; the node's does not.
      if (Cl.serialize(value) !== digits.toLowerCase()) return undefined;
      values.push(value);
    } catch {
      return undefined;
    }
  }
  return values;
}

/**
 * What the node's VM says before running anything, spelled as the Clarity version the simnet
 * carries prints it (`RuntimeCheck(...)`; stacks-core releases before Clarity 4 print
 * `Unchecked(...)`). The simnet words these differently, so they are checked here from the ABI.
 */
function refusalFromInterface(
  chain: DevnetChain,
  contractId: string,
  functionName: string,
): string | undefined {
  const abi = chain.contractInterface(contractId);
  if (!abi) return `RuntimeCheck(NoSuchContract(${JSON.stringify(contractId)}))`;
  const fn = abi.functions.find((candidate) => candidate.name === functionName);
  if (!fn) return `RuntimeCheck(UndefinedFunction(${JSON.stringify(functionName)}))`;
  if (fn.access === 'private') {
    return `RuntimeCheck(NoSuchPublicFunction(${JSON.stringify(contractId)}, ${JSON.stringify(functionName)}))`;
  }
  // A node runs a public function too, and answers NotReadOnly once it tries to write. The simnet
  // cannot run one without committing it, so the devnet answers NotReadOnly for every one.
  if (fn.access === 'public') return 'NotReadOnly';
  return undefined;
}

/** The simnet throws `… Runtime error while interpreting <contract>: <VM error>`; keep the error. */
function vmCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const marker = message.lastIndexOf('Runtime error while interpreting ');
  if (marker < 0) return message;
  const rest = message.slice(marker);
  const colon = rest.indexOf(': ');
  return colon < 0 ? rest : rest.slice(colon + 2);
}
