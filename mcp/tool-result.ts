/**
 * What a tool hands back: one text content holding JSON (bigints as decimal strings), and
 * `isError: true` with a `message` a person or an agent can act on when the call failed.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export function jsonResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: toJson(value) }] };
}

export function errorResult(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): CallToolResult {
  return {
    content: [{ type: 'text', text: toJson({ error: code, message, ...details }) }],
    isError: true,
  };
}

/** A failure thrown inside a tool, as a tool error rather than a protocol error. */
export function thrownResult(error: unknown): CallToolResult {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'tool_failed';
  const message = error instanceof Error ? error.message : String(error);
  const paymentIdentifier =
    typeof error === 'object' && error !== null && 'paymentIdentifier' in error
      ? error.paymentIdentifier
      : undefined;
  if (typeof paymentIdentifier === 'string') {
    return errorResult(
      code,
      `${message}. A payment was sent: call again with this paymentIdentifier to collect its result without paying twice.`,
      { paymentIdentifier },
    );
  }
  return errorResult(code, message);
}
