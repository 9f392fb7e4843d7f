/** 90 → "1m 30s", 5400 → "1h 30m": a duration in seconds as its two largest units. */
export function humanDuration(seconds: number): string {
  const units: [string, number][] = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0s';
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.join(' ');
}
