/**
 * "Did you mean": the catalogue ids closest to an unknown model id, by edit distance (case
 * ignored), comparing with the whole id and with its part after the vendor (`gpt-4o-mini` finds
 * `openai/gpt-4o-mini`). Ids further than half the longer name away are not offered.
 */

export function similarIds(wanted: string, ids: readonly string[], limit = 3): string[] {
  const target = wanted.toLowerCase();
  const scored = ids.flatMap((id) => {
    const lower = id.toLowerCase();
    const name = lower.slice(lower.indexOf('/') + 1);
    const distance = Math.min(editDistance(target, lower), editDistance(target, name));
    const bound = Math.ceil(Math.max(target.length, name.length) / 2);
    return distance <= bound ? [{ id, distance }] : [];
  });
  scored.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.slice(0, limit).map(({ id }) => id);
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
