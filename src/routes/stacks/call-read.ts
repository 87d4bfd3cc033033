/**
 * `POST /stacks/contract/call-read`: a read-only contract call through the node's
 * `POST /v2/contracts/call-read/{address}/{contract}/{function}` (`{sender, arguments: [hex]}`,
 * answered `{okay, result | cause}`), with the result decoded (type, value, repr).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { ClarityValue } from '@stacks/transactions';
import { configOf } from '../../config';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import {
  CLARITY_NAME,
  ClarityDecodeError,
  decodeClarityValue,
} from '../../stacks/clarity/deserialize';
import { describeClarityValue } from '../../stacks/clarity/format';
import { parsePrincipal } from '../../stacks/clarity/principal';
import { serializeClarityValue } from '../../stacks/clarity/serialize';
import { StacksUpstream } from '../../stacks/upstream';
import { defineRoute, STANDARD } from '../registry';
import { unexpectedUpstream, upstreamErrorResponse } from './upstream-errors';

const MAX_ARGUMENTS = 20;
const MAX_ARGUMENT_BYTES = 16_384;

/** A Clarity value given as the hex of its serialization; decoded strictly, as the node would. */
function decodeArgument(
  input: string,
): { ok: true; value: ClarityValue } | { ok: false; reason: string } {
  const hex = parseHex(input);
  if (!hex.ok) return { ok: false, reason: hex.reason };
  if (hex.bytes.length > MAX_ARGUMENT_BYTES)
    return { ok: false, reason: `is larger than ${MAX_ARGUMENT_BYTES} bytes` };
  try {
    return { ok: true, value: decodeClarityValue(hex.bytes) };
  } catch (error) {
    if (error instanceof ClarityDecodeError) return { ok: false, reason: error.message };
    throw error;
  }
}

const CallReadBody = z
  .object({
    contract: z
      .string()
      .max(170)
      .superRefine((value, ctx) => {
        const parsed = parsePrincipal(value);
        if (!parsed.ok || parsed.principal.contractName === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: parsed.ok
              ? 'must be a contract principal ADDRESS.contract-name'
              : parsed.reason,
            params: { code: 'invalid_contract' },
          });
        }
      })
      .openapi({ example: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token' }),
    function: z
      .string()
      .max(128)
      .refine((name) => CLARITY_NAME.test(name), {
        message: 'is not a Clarity function name',
        params: { code: 'invalid_function' },
      })
      .openapi({ example: 'get-balance' }),
    args: z
      .array(
        z.string().superRefine((value, ctx) => {
          const decoded = decodeArgument(value);
          if (!decoded.ok)
            ctx.addIssue({
              code: 'custom',
              message: decoded.reason,
              params: { code: 'invalid_clarity_value' },
            });
        }),
      )
      .max(MAX_ARGUMENTS)
      .default([])
      .openapi({
        description: 'Arguments as hex of serialized Clarity values (0x optional), in order.',
        example: ['0x051a7321b74e2b6a7e949e6c4ad313035b1665095017'],
      }),
    sender: z
      .string()
      .max(170)
      .refine((value) => parsePrincipal(value).ok, {
        message: 'is not a valid principal',
        params: { code: 'invalid_sender' },
      })
      .optional()
      .openapi({ description: 'tx-sender for the call; the contract deployer when omitted.' }),
  })
  .strict()
  .openapi('CallReadRequest');

const ClarityResult = z.object({
  type: z.string(),
  value: z.unknown(),
  repr: z.string(),
  hex: z.string(),
});

const CallReadResponse = z
  .object({ contract: z.string(), function: z.string(), sender: z.string(), result: ClarityResult })
  .openapi('CallReadResponse');

export const callReadRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/stacks/contract/call-read',
    tags: ['Stacks'],
    summary: 'Read-only contract call',
    description:
      "Calls a read-only function through the node's /v2/contracts/call-read and decodes the result. A call the node cannot run (no such contract or function, a runtime error) is a 422 with the node's cause, and is not charged.",
    request: {
      body: { required: true, content: { 'application/json': { schema: CallReadBody } } },
    },
    responses: {
      200: {
        description: 'The decoded result',
        content: { 'application/json': { schema: CallReadResponse } },
      },
      ...errorResponses,
      422: { description: 'The node could not run the call', content: errorResponses[400].content },
      502: { description: 'The Stacks API failed', content: errorResponses[400].content },
      504: { description: 'The Stacks API timed out', content: errorResponses[400].content },
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const body = c.req.valid('json');
    const [address, contractName] = body.contract.split('.');
    // The deployer is a standard principal, which every node accepts as a sender.
    const sender = body.sender ?? address;
    const args = body.args.map((arg) => {
      const decoded = decodeArgument(arg);
      if (!decoded.ok) throw new Error('validated argument failed to decode');
      return `0x${bytesToHex(serializeClarityValue(decoded.value))}`;
    });
    const config = configOf(c.env);
    const api = new StacksUpstream({
      baseUrl: config.stacksApiUrl,
      timeoutMs: config.stacksApiTimeoutMs,
    });
    const answer = await api.post(
      `/v2/contracts/call-read/${address}/${contractName}/${body.function}`,
      { sender, arguments: args },
    );
    if (answer.type === 'error') return upstreamErrorResponse(c, answer);
    const reply = answer.body as { okay?: unknown; result?: unknown; cause?: unknown } | null;
    if (answer.status === 200 && reply?.okay === false) {
      return c.json(
        {
          code: 'read_only_call_failed',
          message: `The node could not run the call (nothing was charged): ${String(reply.cause ?? 'no cause given')}`,
        },
        422,
      );
    }
    if (answer.status === 400 || answer.status === 404) {
      return c.json(
        {
          code: 'read_only_call_failed',
          message: `The node refused the call (nothing was charged): ${answer.text.slice(0, 300)}`,
        },
        422,
      );
    }
    const result = typeof reply?.result === 'string' ? decodeArgument(reply.result) : undefined;
    if (answer.status !== 200 || reply?.okay !== true || !result?.ok)
      return unexpectedUpstream(c, 'call-read answer', answer.status);
    return c.json(
      {
        contract: body.contract,
        function: body.function,
        sender,
        result: {
          ...describeClarityValue(result.value),
          hex: `0x${bytesToHex(serializeClarityValue(result.value))}`,
        },
      },
      200,
    );
  },
});
