import { sql, type Kysely } from 'kysely';

import { DbError } from './errors.js';
import { inTransaction } from './in-transaction.js';
import type { DeviceOwners } from './devices.repository.js';
import type { BackupSession, Database } from './schema.js';
import { isUuid } from './uuid.js';
import { keysetPage } from './keyset-page.js';

/** A backup run to open for one of the user's devices. */
export interface NewBackupSession {
  userId: string;
  deviceId: string;
  expectedFiles?: number | null;
  expectedBytes?: number | null;
  now: Date;
}

/** How one upload of a session ended. */
export type SessionUploadOutcome = 'created' | 'duplicate' | 'failed';

/** What a device needs to resume backing up. */
export interface BackupStatus {
  /** The device's running session, if any. */
  current: BackupSession | null;
  /** When the device's last completed backup ended. */
  lastCompletedAt: Date | null;
  /**
   * When that backup STARTED: everything the device had before then is on the server, so a
   * Shortcut asks Photos for items added after this instant (not after `lastCompletedAt`, which
   * would skip items added while the backup ran).
   */
  lastCompletedStartedAt: Date | null;
}

/** Where a page of backup history ends; pass it back for the next page. */
export interface BackupSessionsCursor {
  startedAt: Date;
  id: string;
}

export interface BackupSessionsPage {
  items: BackupSession[];
  /** `null` on the last page. */
  nextCursor: BackupSessionsCursor | null;
}

const SUPERSEDED = 'superseded by a new session';

/**
 * Opens a backup session for one of the user's active devices, started at `now`. A device runs
 * at most one session (the `backup_sessions_one_running_per_device` index): a session it still
 * has running is closed as `cancelled` with the error `superseded by a new session`, in the same
 * transaction. Concurrent starts for one device queue on the device row, so each supersedes the
 * one before. Throws `DbError` `DEVICE_NOT_FOUND` when the device is not the user's or is revoked.
 *
 * @example
 * const session = await startBackupSession(db, { userId, deviceId, expectedFiles: 120, now: clock() });
 */
export async function startBackupSession(
  db: Kysely<Database>,
  input: NewBackupSession,
): Promise<BackupSession> {
  const { userId, deviceId, now } = input;
  if (!isUuid(userId) || !isUuid(deviceId)) throw deviceNotFound();
  return inTransaction(db, async (trx) => {
    // FOR NO KEY UPDATE serialises starts for this device without blocking uploads, whose foreign
    // keys to the device only take KEY SHARE locks.
    const device = await trx
      .selectFrom('devices')
      .select('id')
      .where('id', '=', deviceId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!device) throw deviceNotFound();

    await trx
      .updateTable('backup_sessions')
      .set({ status: 'cancelled', ended_at: now, error: SUPERSEDED })
      .where('device_id', '=', deviceId)
      .where('status', '=', 'running')
      .execute();
    return trx
      .insertInto('backup_sessions')
      .values({
        user_id: userId,
        device_id: deviceId,
        status: 'running',
        started_at: now,
        expected_files: input.expectedFiles ?? null,
        expected_bytes: input.expectedBytes ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * One session of the user's device, in any status. Another device's session, even the same
 * user's, is not found: a device can only report into its own sessions.
 */
export async function findBackupSession(
  db: Kysely<Database>,
  query: { id: string; userId: string; deviceId: string },
): Promise<BackupSession | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId) || !isUuid(query.deviceId)) return undefined;
  return db
    .selectFrom('backup_sessions')
    .selectAll()
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .where('device_id', '=', query.deviceId)
    .executeTakeFirst();
}

/**
 * Counts one upload into a running session of the user's device: `created` adds a file and its
 * bytes, `duplicate` a duplicate, `failed` a failure. One atomic `UPDATE … SET x = x + 1`, so
 * concurrent uploads lose no count. `false` when the session is not this device's or has ended.
 */
export async function recordSessionUpload(
  db: Kysely<Database>,
  upload: {
    sessionId: string;
    userId: string;
    deviceId: string;
    outcome: SessionUploadOutcome;
    bytes: number;
  },
): Promise<boolean> {
  const { sessionId, userId, deviceId, outcome, bytes } = upload;
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError('bytes must be a non-negative integer');
  if (!isUuid(sessionId) || !isUuid(userId) || !isUuid(deviceId)) return false;
  const result = await db
    .updateTable('backup_sessions')
    .set((eb) =>
      outcome === 'created'
        ? { files: eb('files', '+', 1), bytes: eb('bytes', '+', bytes) }
        : outcome === 'duplicate'
          ? { duplicates: eb('duplicates', '+', 1) }
          : { failures: eb('failures', '+', 1) },
    )
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Ends a running session of the user's device at `now`: `completed`, or `failed` with `error`
 * when one is given. Completing also moves the device's `last_backup_at` to `now`, when the
 * session ended (never backwards), in the same transaction. A session that has already ended
 * comes back unchanged; another device's session is not found.
 */
export async function stopBackupSession(
  db: Kysely<Database>,
  query: { id: string; userId: string; deviceId: string; now: Date; error?: string | null },
): Promise<BackupSession | undefined> {
  const { id, userId, deviceId, now } = query;
  if (!isUuid(id) || !isUuid(userId) || !isUuid(deviceId)) return undefined;
  const error = query.error ?? null;
  return inTransaction(db, async (trx) => {
    const stopped = await trx
      .updateTable('backup_sessions')
      .set({ status: error === null ? 'completed' : 'failed', ended_at: now, error })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (!stopped) return findBackupSession(trx, query);
    if (stopped.status === 'completed') {
      await trx
        .updateTable('devices')
        .set({ last_backup_at: sql<Date>`greatest(last_backup_at, ${stopped.ended_at}::timestamptz)` })
        .where('id', '=', deviceId)
        .where('user_id', '=', userId)
        .execute();
    }
    return stopped;
  });
}

/** The device's running session, and when its last completed backup ended and started. */
export async function backupStatus(
  db: Kysely<Database>,
  query: { userId: string; deviceId: string },
): Promise<BackupStatus> {
  const { userId, deviceId } = query;
  const none: BackupStatus = { current: null, lastCompletedAt: null, lastCompletedStartedAt: null };
  if (!isUuid(userId) || !isUuid(deviceId)) return none;
  const device = await db
    .selectFrom('devices')
    .select('id')
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!device) return none;
  const current = await db
    .selectFrom('backup_sessions')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  // Sessions of a device never overlap, so the latest started completed one is the latest ended.
  const completed = await db
    .selectFrom('backup_sessions')
    .select(['started_at', 'ended_at'])
    .where('device_id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('status', '=', 'completed')
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    current: current ?? null,
    lastCompletedAt: completed?.ended_at ?? null,
    lastCompletedStartedAt: completed?.started_at ?? null,
  };
}

/**
 * One page of backup history, newest first, keyset-paginated on `(started_at, id)`: one user's
 * (or every user's, for an admin), optionally only one device's.
 *
 * @example
 * const page = await listBackupSessions(db, { userId, limit: 50, before: previous.nextCursor ?? undefined });
 * const household = await listBackupSessions(db, { everyUser: true, deviceId, limit: 50 });
 */
export async function listBackupSessions(
  db: Kysely<Database>,
  query: DeviceOwners & { deviceId?: string; limit: number; before?: BackupSessionsCursor },
): Promise<BackupSessionsPage> {
  const { deviceId, limit, before } = query;
  const userId = 'userId' in query ? query.userId : undefined;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const empty: BackupSessionsPage = { items: [], nextCursor: null };
  if ((userId !== undefined && !isUuid(userId)) || (deviceId !== undefined && !isUuid(deviceId)))
    return empty;
  // A cursor that names no possible session (tampered with, say) ends the list.
  if (before && (!isUuid(before.id) || Number.isNaN(before.startedAt.getTime()))) return empty;

  let select = db.selectFrom('backup_sessions').selectAll();
  if (userId !== undefined) select = select.where('user_id', '=', userId);
  if (deviceId !== undefined) select = select.where('device_id', '=', deviceId);
  if (before) {
    select = select.where((eb) =>
      eb(eb.refTuple('started_at', 'id'), '<', eb.tuple(before.startedAt, before.id)),
    );
  }
  const rows = await select
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();

  return keysetPage(rows, limit, (last) => ({ startedAt: last.started_at, id: last.id }));
}

function deviceNotFound(): DbError {
  return new DbError('DEVICE_NOT_FOUND', 'No such active device for this user');
}
