/**
 * Canonical request paths, so that no spelling of a paid path slips past routing and pricing
 * (DESIGN section 6): empty segments (`//`, a trailing `/`) are dropped, `%XX` escapes of
 * unreserved characters are decoded (`%73ha256` is `sha256`), and dot segments resolve (`.`,
 * `..`, `%2e`). An escaped `/` or `\` stays escaped, so it can never split a segment. Case is
 * kept: routes are lower case and an upper-case spelling is a free 404.
 */
const UNRESERVED_ESCAPE =
  /%(2[dDeE]|3[0-9]|4[1-9a-fA-F]|5[0-9aA]|5[fF]|6[1-9a-fA-F]|7[0-9aA]|7[eE])/g;

export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    const segment = raw.replace(UNRESERVED_ESCAPE, (match) =>
      String.fromCharCode(Number.parseInt(match.slice(1), 16)),
    );
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** Hono `getPath`: the canonical path of a request URL (the query string is not part of it). */
export function canonicalRequestPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start === -1) return '/';
  const query = url.indexOf('?', start);
  return canonicalPath(query === -1 ? url.slice(start) : url.slice(start, query));
}
