import { sql, type Kysely } from 'kysely';

import { DbError } from './errors.js';
import { inTransaction } from './in-transaction.js';
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
  /**
   * When the device's last completed backup STARTED: everything the device had before then is
   * on the server, so a Shortcut asks Photos for items added after this instant.
   */
  lastCompletedAt: Date | null;
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
 * when one is given. Completing also moves the device's `last_backup_at` to the session's
 * start (never backwards), in the same transaction: items added to the phone while the session
 * ran are offered again next time rather than missed, and the check answers them as duplicates.
 * A session that has already ended comes back unchanged; another device's session is not found.
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
        .set({ last_backup_at: sql<Date>`greatest(last_backup_at, ${stopped.started_at}::timestamptz)` })
        .where('id', '=', deviceId)
        .where('user_id', '=', userId)
        .execute();
    }
    return stopped;
  });
}

/** The device's running session and the start of its last completed backup. */
export async function backupStatus(
  db: Kysely<Database>,
  query: { userId: string; deviceId: string },
): Promise<BackupStatus> {
  const { userId, deviceId } = query;
  if (!isUuid(userId) || !isUuid(deviceId)) return { current: null, lastCompletedAt: null };
  const device = await db
    .selectFrom('devices')
    .select('last_backup_at')
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!device) return { current: null, lastCompletedAt: null };
  const current = await db
    .selectFrom('backup_sessions')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return { current: current ?? null, lastCompletedAt: device.last_backup_at };
}

/**
 * One page of the user's backup history, or one device's, newest first, keyset-paginated on
 * `(started_at, id)`.
 *
 * @example
 * const page = await listBackupSessions(db, { userId, limit: 50, before: previous.nextCursor ?? undefined });
 */
export async function listBackupSessions(
  db: Kysely<Database>,
  query: { userId: string; deviceId?: string; limit: number; before?: BackupSessionsCursor },
): Promise<BackupSessionsPage> {
  const { userId, deviceId, limit, before } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const empty: BackupSessionsPage = { items: [], nextCursor: null };
  if (!isUuid(userId) || (deviceId !== undefined && !isUuid(deviceId))) return empty;
  // A cursor that names no possible session (tampered with, say) ends the list.
  if (before && (!isUuid(before.id) || Number.isNaN(before.startedAt.getTime()))) return empty;

  let select = db.selectFrom('backup_sessions').selectAll().where('user_id', '=', userId);
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
