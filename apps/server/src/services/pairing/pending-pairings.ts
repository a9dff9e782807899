/**
 * The plain pairing secret and code live only here, in memory, for the 10 minutes a pairing is
 * open, so the QR image can be served again; the database keeps only their hashes. After a
 * restart the QR of an open pairing cannot be shown again: the user makes a new one.
 */
export interface PendingPairing {
  /** Who opened it (not necessarily whose the device will be): only they may see its QR code. */
  openedBy: string;
  code: string;
  qrPayload: string;
  /** The plain-HTTP pairing link, when HTTPS is on. */
  qrPayloadHttp?: string;
  expiresAt: Date;
}

export class PendingPairings {
  readonly #entries = new Map<string, PendingPairing>();

  constructor(private readonly now: () => Date) {}

  remember(id: string, pairing: PendingPairing): void {
    this.prune();
    this.#entries.set(id, pairing);
  }

  /** The open pairing with this id that this user opened, if it has not expired. */
  find(id: string, openedBy: string): PendingPairing | undefined {
    this.prune();
    const pairing = this.#entries.get(id);
    return pairing?.openedBy === openedBy ? pairing : undefined;
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
