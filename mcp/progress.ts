/**
 * MCP progress notifications while a paid call waits after a 202: each payment status polled is
 * reported, so a client that asked for progress (and resets its timeout on it) keeps waiting.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export type ProgressReporter = (message: string) => void;

export function progressReporter(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
): ProgressReporter {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  let progress = 0;
  return (message) => {
    progress += 1;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress, message },
      })
      // A lost progress note must not fail the paid call it reports on.
      .catch(() => {});
  };
}
