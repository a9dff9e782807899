/**
 * The plain pairing secret and code live only here, in memory, for the 10 minutes a pairing is
 * open, so the QR image can be served again; the database keeps only their hashes. After a
 * restart the QR of an open pairing cannot be shown again: the user makes a new one.
 */
export interface PendingPairing {
  userId: string;
  code: string;
  qrPayload: string;
  expiresAt: Date;
}

export class PendingPairings {
  readonly #entries = new Map<string, PendingPairing>();

  constructor(private readonly now: () => Date) {}

  remember(id: string, pairing: PendingPairing): void {
    this.prune();
    this.#entries.set(id, pairing);
  }

  /** The open pairing with this id belonging to this user, if it has not expired. */
  find(id: string, userId: string): PendingPairing | undefined {
    this.prune();
    const pairing = this.#entries.get(id);
    return pairing?.userId === userId ? pairing : undefined;
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  prune(): void {
    const now = this.now().getTime();
    for (const [id, pairing] of this.#entries) {
      if (pairing.expiresAt.getTime() <= now) this.#entries.delete(id);
    }
  }
}
