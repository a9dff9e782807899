import { sql, type Kysely } from 'kysely';

import { DbError, isUniqueViolation } from './errors.js';
import { inTransaction } from './in-transaction.js';
import type {
  Database,
  Device,
  DevicePlatform,
  DeviceScope,
  PairingSession,
  PairingStatus,
} from './schema.js';
import { isUuid } from './uuid.js';

/** A pairing to open: only hashes of the code and secret are ever stored. */
export interface NewPairingSession {
  userId: string;
  /** SHA-256 hex of the canonical manual code. */
  codeHash: string;
  /** SHA-256 hex of the QR secret. */
  secretHash: string;
  expiresAt: Date;
}

/** The device a successful claim creates, for the user who opened the pairing. */
export interface PairingDevice {
  name: string;
  platform: DevicePlatform;
  scopes: DeviceScope[];
  /** The `jti` of the token the caller will sign for the device, a uuid. */
  tokenId: string;
}

/** A claim names the pairing by exactly one of its hashes: the manual code's or the QR secret's. */
export type PairingClaim = (
  { codeHash: string; secretHash?: undefined } | { secretHash: string; codeHash?: undefined }
) & {
  now: Date;
  /** Wrong attempts a pending session survives; the one that reaches this number burns it. */
  maxAttempts: number;
  device: PairingDevice;
};

/**
 * Opens a pairing for `userId`. Only the hashes are stored. Throws `DbError`
 * `PAIRING_CODE_TAKEN` when the code or secret hash is already in the table (an 8-letter code
 * can repeat one from the past): draw new credentials and try again.
 */
export async function createPairingSession(
  db: Kysely<Database>,
  input: NewPairingSession,
): Promise<PairingSession> {
  try {
    return await db
      .insertInto('pairing_sessions')
      .values({
        user_id: input.userId,
        code_hash: input.codeHash,
        secret_hash: input.secretHash,
        expires_at: input.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (
      isUniqueViolation(err, 'pairing_sessions_code_hash_key') ||
      isUniqueViolation(err, 'pairing_sessions_secret_hash_key')
    ) {
      throw new DbError('PAIRING_CODE_TAKEN', 'These pairing credentials are already in use', { cause: err });
    }
    throw err;
  }
}

/**
 * One of the user's pairings with the device it created, if claimed (that device is returned
 * even after it was revoked). The stored status is returned as is: a `pending` row past its
 * `expires_at` is expired for the person looking, which `effectivePairingStatus` in
 * `@iclood/pairing` works out. Another user's pairing, like a malformed id, is not found.
 */
export async function findPairingSession(
  db: Kysely<Database>,
  query: { id: string; userId: string },
): Promise<{ session: PairingSession; device: Device | null } | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return undefined;
  const session = await db
    .selectFrom('pairing_sessions')
    .selectAll()
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
  if (!session) return undefined;
  if (session.device_id === null) return { session, device: null };
  const device = await db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', session.device_id)
    .executeTakeFirst();
  return { session, device: device ?? null };
}

/**
 * Claims a pending pairing by its code hash or its secret hash and creates the device for the
 * user who opened it. Returns `undefined` when no open pairing matches: the hash is unknown, or
 * the pairing is claimed, expired or burned.
 *
 * Race-safe: the claim is one `UPDATE … WHERE status = 'pending' AND expires_at > now AND
 * attempts < maxAttempts … RETURNING`, so when two claims of the same pairing run at once the
 * row lock makes the second re-check the row, find it claimed and match nothing. The device
 * insert and the link back from the pairing happen in the same transaction as the claim, so a
 * failed insert leaves the pairing pending.
 *
 * Brute force: every failed claim counts as one wrong attempt against EVERY pending, unexpired
 * pairing, of every user, and burns those that reach `maxAttempts`. A guess at the manual code
 * could hit any open pairing, so a per-pairing count would let an attacker spread guesses over
 * them all. The price is that a stranger guessing can burn open pairings (the user makes a new
 * one); the server also rate-limits registration. Claimed, expired and burned pairings are not
 * touched.
 *
 * Safe to call with a transaction: it then runs inside it instead of opening its own.
 *
 * @example
 * const claimed = await claimPairingSession(db, {
 *   codeHash: hashPairingValue(code), now: clock(), maxAttempts: MAX_PAIRING_ATTEMPTS,
 *   device: { name: 'Ada’s iPhone', platform: 'ios', scopes: [...APP_DEVICE_SCOPES], tokenId: randomUUID() },
 * });
 * if (!claimed) throw new HttpError(400, 'PAIRING_CODE_INVALID');
 */
export async function claimPairingSession(
  db: Kysely<Database>,
  claim: PairingClaim,
): Promise<{ session: PairingSession; device: Device } | undefined> {
  if ((claim.codeHash === undefined) === (claim.secretHash === undefined)) {
    throw new TypeError('claimPairingSession needs exactly one of codeHash and secretHash');
  }
  const lookup =
    claim.codeHash !== undefined
      ? { column: 'code_hash' as const, hash: claim.codeHash }
      : { column: 'secret_hash' as const, hash: claim.secretHash };

  const claimed = await inTransaction(db, async (trx) => {
    const session = await trx
      .updateTable('pairing_sessions')
      .set({ status: 'claimed', claimed_at: claim.now })
      .where(lookup.column, '=', lookup.hash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', claim.now)
      .where('attempts', '<', claim.maxAttempts)
      .returningAll()
      .executeTakeFirst();
    if (!session) return undefined;

    const device = await trx
      .insertInto('devices')
      .values({
        user_id: session.user_id,
        name: claim.device.name,
        platform: claim.device.platform,
        scopes: claim.device.scopes,
        token_id: claim.device.tokenId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const linked = await trx
      .updateTable('pairing_sessions')
      .set({ device_id: device.id })
      .where('id', '=', session.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { session: linked, device };
  });
  if (claimed) return claimed;

  await countWrongPairingAttempt(db, claim);
  return undefined;
}

/**
 * Marks pending pairings whose `expires_at` is at or before `now` as `expired`, for a periodic
 * sweep; returns how many. Claims already refuse them, so this only tidies the stored status.
 */
export async function expirePairingSessions(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .updateTable('pairing_sessions')
    .set({ status: 'expired' })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function countWrongPairingAttempt(
  db: Kysely<Database>,
  claim: { now: Date; maxAttempts: number },
): Promise<void> {
  // Rows are locked in id order first, so two wrong attempts at once queue up row by row instead
  // of deadlocking; each then re-reads `attempts`, so no increment is lost.
  await db
    .updateTable('pairing_sessions')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      status: sql<PairingStatus>`case when attempts + 1 >= ${claim.maxAttempts} then 'burned' else status end`,
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('pairing_sessions')
        .select('id')
        .where('status', '=', 'pending')
        .where('expires_at', '>', claim.now)
        .orderBy('id')
        .forUpdate(),
    )
    .where('status', '=', 'pending')
    .where('expires_at', '>', claim.now)
    .execute();
}
