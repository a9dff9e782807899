import { FixedWindowLimiter } from './fixed-window-limiter.js';

export interface PairingGuessBudget {
  perClient: number;
  perServer: number;
  windowMs: number;
}

/** A guess that may be checked; give it back with {@link PairingGuessLimiter.giveBack} if right. */
export interface GuessReservation {
  readonly client: string;
}

export type GuessRefusal = { refusedBy: 'client' | 'server'; retryAfterMs: number };

/**
 * Limits wrong manual pairing codes per client and across the server, over fixed windows (see
 * `PAIRING_GUESS_BUDGET` for the numbers and the bound they give). A wrong code names no
 * pairing, so it is its sender that pays for it, never an open pairing.
 *
 * A guess takes its place in both budgets before the code is looked up, so guesses sent at the
 * same moment cannot together pass a budget; a right code gives its place back, so only wrong
 * ones are limited. A client refused by its own budget spends nothing of the server's.
 */
export class PairingGuessLimiter {
  readonly #server: FixedWindowLimiter;
  readonly #clients = new Map<string, FixedWindowLimiter>();

  constructor(
    private readonly budget: PairingGuessBudget,
    private readonly now: () => Date,
  ) {
    this.#server = new FixedWindowLimiter(budget.perServer, budget.windowMs, now);
  }

  /** Takes one guess for `client`, or says which budget is spent and for how long. */
  reserve(client: string): GuessReservation | GuessRefusal {
    const known = this.#clients.get(client);
    if (known && !known.tryTake()) return { refusedBy: 'client', retryAfterMs: known.retryAfterMs() };
    if (!this.#server.tryTake()) {
      known?.giveBack();
      return { refusedBy: 'server', retryAfterMs: this.#server.retryAfterMs() };
    }
    if (!known) this.#track(client).tryTake();
    return { client };
  }

  /** The code was right: the guess does not count. */
  giveBack(reservation: GuessReservation): void {
    this.#server.giveBack();
    this.#clients.get(reservation.client)?.giveBack();
  }

  // A client is tracked only once the server's budget let its guess in, so few windows are alive
  // at a time; those that ended are dropped before the map grows past the server's budget.
  #track(client: string): FixedWindowLimiter {
    if (this.#clients.size >= this.budget.perServer) {
      for (const [key, old] of this.#clients) if (old.retryAfterMs() === 0) this.#clients.delete(key);
    }
    const limiter = new FixedWindowLimiter(this.budget.perClient, this.budget.windowMs, this.now);
    this.#clients.set(client, limiter);
    return limiter;
  }
}
