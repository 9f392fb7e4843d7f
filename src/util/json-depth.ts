/**
 * How deeply a JSON value nests, counted without recursion (an attacker's 100,000-level value
 * must not overflow the stack of the check meant to refuse it). Stops counting past `max`.
 * A scalar is depth 0; `{"a":1}` and `[1]` are depth 1.
 */
export function jsonDepth(value: unknown, max: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > max) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
