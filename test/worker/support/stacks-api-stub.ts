import { vi } from 'vitest';

export type StubAnswer =
  | Response
  | ((request: Request, signal?: AbortSignal) => Response | Promise<Response>);

/**
 * Answers the Worker's outbound calls to the Stacks API (127.0.0.1:3999 in wrangler.toml) from a
 * table of paths; anything else is a 404. Returns the list of requests seen.
 */
export function stubStacksApi(answers: Record<string, StubAnswer>) {
  const seen: { method: string; path: string; body: string }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    seen.push({
      method: request.method,
      path: url.pathname + url.search,
      body: request.method === 'GET' ? '' : await request.text(),
    });
    const answer = answers[url.pathname];
    if (!answer) return Response.json({ error: 'not found' }, { status: 404 });
    return typeof answer === 'function'
      ? answer(request, init?.signal ?? undefined)
      : answer.clone();
  });
  return seen;
}
