/**
 * A counter over fixed time windows: at most `max` events per `windowMs`. Used for limits that
 * are not per client, e.g. the server-wide cap on pairing attempts, on top of the per-IP limit.
 */
export class FixedWindowLimiter {
  #windowStart = 0;
  #count = 0;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => Date,
  ) {}

  /** Counts one event; false when the window's budget is spent. */
  tryTake(): boolean {
    const now = this.now().getTime();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.max) return false;
    this.#count += 1;
    return true;
  }

  /** Gives back one event counted in the current window (one that turned out not to count). */
  giveBack(): void {
    if (this.#count > 0) this.#count -= 1;
  }

  /** Milliseconds until the current window ends; 0 once it has, when the limiter holds nothing. */
  retryAfterMs(): number {
    return Math.max(0, this.#windowStart + this.windowMs - this.now().getTime());
  }
}
