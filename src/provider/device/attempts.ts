import type { Clock } from '../../util/clock.js';

/**
 * RFC 8628 5.1: user codes are short enough to guess, so wrong ones are rate-limited. After
 * `limit` wrong codes within `windowMs` the verification page looks nothing up (a right code
 * included, or guessing would go on) until the oldest of them is older than the window.
 * One per provider: the guesses that matter come from anywhere, not from one browser.
 */
export class UserCodeAttempts {
  /** Times (ms) of the recent wrong codes, oldest first; never more than `limit`. */
  private failures: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limit = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Whole seconds until a code may be tried again; 0 when it may now. */
  retryAfter(): number {
    const now = this.clock.now();
    this.failures = this.failures.filter((at) => now - at < this.windowMs);
    if (this.failures.length < this.limit) return 0;
    return Math.max(1, Math.ceil((this.failures[0]! + this.windowMs - now) / 1000));
  }

  failed(): void {
    this.failures.push(this.clock.now());
    if (this.failures.length > this.limit) this.failures.shift();
  }
}
