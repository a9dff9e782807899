import { sql, type Kysely } from 'kysely';

import { DbError, isUniqueViolation } from './errors.js';
import { inTransaction } from './in-transaction.js';
import type { Database, Device, DevicePlatform, DeviceScope, PairingSession } from './schema.js';
import { isUuid } from './uuid.js';

/** A pairing to open: only hashes of the code and secret are ever stored. */
export interface NewPairingSession {
  /** The user the paired device will belong to. */
  userId: string;
  /**
   * Who opens it, when not `userId` themselves (an owner or admin pairing a member's phone): only
   * they may look at the pairing afterwards.
   */
  openedBy?: string;
  /** SHA-256 hex of the canonical manual code. */
  codeHash: string;
  /** SHA-256 hex of the QR secret. */
  secretHash: string;
  expiresAt: Date;
  /**
   * Refuse with `TOO_MANY_OPEN_PAIRINGS` when `max` pairings, of any user, are already open at
   * `now`: the number of codes open at once bounds the chance of guessing one.
   */
  openLimit?: { max: number; now: Date };
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
  device: PairingDevice;
};

/**
 * Opens a pairing for `userId`, by `openedBy` (default: the same user). Only the hashes are stored. Throws `DbError`
 * `PAIRING_CODE_TAKEN` when the code or secret hash is already in the table (an 8-letter code
 * can repeat one from the past): draw new credentials and try again; `TOO_MANY_OPEN_PAIRINGS`
 * when `openLimit` is reached. The count and the insert hold one transaction-scoped advisory
 * lock, so pairings opened at the same moment cannot together pass the limit.
 */
export async function createPairingSession(
  db: Kysely<Database>,
  input: NewPairingSession,
): Promise<PairingSession> {
  try {
    return await inTransaction(db, async (trx) => {
      if (input.openLimit) {
        await sql`select pg_advisory_xact_lock(${OPEN_PAIRINGS_LOCK})`.execute(trx);
        const open = await countOpenPairingSessions(trx, input.openLimit.now);
        if (open >= input.openLimit.max) {
          throw new DbError(
            'TOO_MANY_OPEN_PAIRINGS',
            `${open} pairings are open already; one must be used or expire first`,
          );
        }
      }
      return trx
        .insertInto('pairing_sessions')
        .values({
          user_id: input.userId,
          opened_by: input.openedBy ?? input.userId,
          code_hash: input.codeHash,
          secret_hash: input.secretHash,
          expires_at: input.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
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

// An arbitrary, fixed key for pg_advisory_xact_lock: "open pairings" in this database.
const OPEN_PAIRINGS_LOCK = 0x1c100d01;

/** Pending pairings of every user that are still open at `now`. */
export async function countOpenPairingSessions(db: Kysely<Database>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('pairing_sessions')
    .select((eb) => eb.fn.countAll<number>().as('open'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.open);
}

/**
 * A pairing opened by `openedBy`, with the device it created, if claimed (that device is returned
 * even after it was revoked). The stored status is returned as is: a `pending` row past its
 * `expires_at` is expired for the person looking, which `effectivePairingStatus` in
 * `@iclood/pairing` works out. A pairing someone else opened, even one for `openedBy`, is not
 * found, like a malformed id.
 */
export async function findPairingSession(
  db: Kysely<Database>,
  query: { id: string; openedBy: string },
): Promise<{ session: PairingSession; device: Device | null } | undefined> {
  if (!isUuid(query.id) || !isUuid(query.openedBy)) return undefined;
  const session = await db
    .selectFrom('pairing_sessions')
    .selectAll()
    .where('id', '=', query.id)
    .where('opened_by', '=', query.openedBy)
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

/** A pairing named by exactly one of its hashes, as a claim names it. */
export type PairingCredentialHash =
  { codeHash: string; secretHash?: undefined } | { secretHash: string; codeHash?: undefined };

/**
 * The pairing a code or secret hash names, whatever its status, with the user its device will
 * belong to: what a pairing page shows before the phone claims it. The stored status is returned
 * as is (see `effectivePairingStatus`). Reads only: looking changes nothing.
 */
export async function findPairingByCredential(
  db: Kysely<Database>,
  credential: PairingCredentialHash,
): Promise<
  { session: PairingSession; user: { id: string; username: string; displayName: string | null } } | undefined
> {
  if ((credential.codeHash === undefined) === (credential.secretHash === undefined)) {
    throw new TypeError('findPairingByCredential needs exactly one of codeHash and secretHash');
  }
  const session = await db
    .selectFrom('pairing_sessions')
    .selectAll()
    .$call((query) =>
      credential.codeHash !== undefined
        ? query.where('code_hash', '=', credential.codeHash)
        : query.where('secret_hash', '=', credential.secretHash!),
    )
    .executeTakeFirst();
  if (!session) return undefined;
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where('id', '=', session.user_id)
    .executeTakeFirst();
  if (!user) return undefined;
  return { session, user: { id: user.id, username: user.username, displayName: user.display_name } };
}

/**
 * Claims a pending pairing by its code hash or its secret hash and creates the device for the
 * user who opened it. Returns `undefined` when no open pairing matches: the hash is unknown, or
 * the pairing is claimed, expired or burned.
 *
 * Race-safe: the claim is one `UPDATE … WHERE status = 'pending' AND expires_at > now …
 * RETURNING`, so when two claims of the same pairing run at once the row lock makes the second
 * re-check the row, find it claimed and match nothing. The device insert and the link back from
 * the pairing happen in the same transaction as the claim, so a failed insert leaves the pairing
 * pending.
 *
 * A miss changes nothing: a wrong code names no pairing, so it must not count against, or close,
 * anyone's. Guessing is limited by whoever calls this, before calling it.
 *
 * Safe to call with a transaction: it then runs inside it instead of opening its own.
 *
 * @example
 * const claimed = await claimPairingSession(db, {
 *   codeHash: hashPairingValue(code), now: clock(),
 *   device: { name: 'Ada’s iPhone', platform: 'ios', scopes: [...APP_DEVICE_SCOPES], tokenId: randomUUID() },
 * });
 * if (!claimed) throw new HttpError(401, 'PAIRING_CODE_INVALID');
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

  return inTransaction(db, async (trx) => {
    const session = await trx
      .updateTable('pairing_sessions')
      .set({ status: 'claimed', claimed_at: claim.now })
      .where(lookup.column, '=', lookup.hash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', claim.now)
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
