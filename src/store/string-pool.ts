/**
 * One copy of each repeated string a store keeps. Every request parses its own copies of the
 * client's id and the user's sub (JSON.parse never shares them), so without this each stored token
 * would hold its own ~40–60 byte copies of strings that thousands of records share. Only fields
 * whose values repeat across records go through it (never token ids); it forgets everything when
 * it grows past `limit`, so it stays small whatever it is given.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();

  constructor(private readonly limit = 10_000) {}

  intern(value: string): string {
    const pooled = this.pool.get(value);
    if (pooled !== undefined) return pooled;
    if (this.pool.size >= this.limit) this.pool.clear();
    this.pool.set(value, value);
    return value;
  }
}
