/** A pairing is open for 10 minutes after it is created. */
export const PAIRING_TTL_MS = 10 * 60_000;

/**
 * - `pending`: open, waiting for a phone.
 * - `claimed`: a device registered with it; single use, so it is closed.
 * - `expired`: nobody claimed it within {@link PAIRING_TTL_MS}.
 * - `burned`: wrong attempts closed it. Only older versions did that: a wrong code names no
 *   pairing, so it no longer closes any (see `PAIRING_GUESS_BUDGET`).
 */
export type PairingStatus = 'pending' | 'claimed' | 'expired' | 'burned';

/**
 * The status a person should see at `now`. The stored status only changes on a claim or a
 * periodic sweep, so a `pending` row whose `expires_at` has passed is `expired`.
 * A pairing is open while `now < expires_at`: at the very instant of expiry it is closed, the
 * same rule the database's claim applies.
 *
 * @example
 * effectivePairingStatus(session, clock.now()) // 'pending' | 'claimed' | 'expired' | 'burned'
 */
export function effectivePairingStatus(
  session: { status: PairingStatus; expires_at: Date },
  now: Date,
): PairingStatus {
  if (session.status === 'pending' && now.getTime() >= session.expires_at.getTime()) return 'expired';
  return session.status;
}
