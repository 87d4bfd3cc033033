/**
 * How a failed Stacks API call reaches the caller: a status and code per kind of failure, and a
 * sentence that says nothing was charged (every one of these is >= 400, so the payment gate
 * releases the claim in the authorization order).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import type { UpstreamError } from '../../stacks/upstream';

export function upstreamErrorResponse(c: Context<AppEnv>, error: UpstreamError) {
  switch (error.kind) {
    case 'timeout':
      return c.json(
        {
          code: 'upstream_timeout',
          message: `${capitalise(error.detail)}; try again (nothing was charged).`,
        },
        504,
      );
    case 'rate_limited':
      c.header('retry-after', String(error.retryAfterSeconds));
      return c.json(
        {
          code: 'upstream_rate_limited',
          message: `The Stacks API is rate limiting this service; retry in ${error.retryAfterSeconds} s (nothing was charged).`,
        },
        503,
      );
    case 'unreachable':
      return c.json(
        {
          code: 'upstream_unavailable',
          message: `${capitalise(error.detail)}; try again later (nothing was charged).`,
        },
        502,
      );
    case 'server_error':
      return c.json(
        {
          code: 'upstream_error',
          message: `${capitalise(error.detail)}; try again later (nothing was charged).`,
        },
        502,
      );
  }
}

/** A 2xx/4xx answer whose body is not what the Stacks API documents. */
export function unexpectedUpstream(c: Context<AppEnv>, what: string, status: number) {
  return c.json(
    {
      code: 'upstream_error',
      message: `The Stacks API answered ${status} with an unexpected ${what}; try again later (nothing was charged).`,
    },
    502,
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
