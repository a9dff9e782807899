import { sql, type Kysely } from 'kysely';

import type { Database, JsonObject, PartialUpload } from './schema.js';
import { isUuid } from './uuid.js';

/**
 * Records a resumable upload about to receive its first byte.
 *
 * @example
 * const upload = await createPartialUpload(db, { userId, deviceId, length: 5_242_880, fields, now, expiresAt });
 */
export async function createPartialUpload(
  db: Kysely<Database>,
  input: {
    userId: string;
    deviceId: string | null;
    length: number;
    fields: JsonObject;
    now: Date;
    expiresAt: Date;
  },
): Promise<PartialUpload> {
  return db
    .insertInto('partial_uploads')
    .values({
      user_id: input.userId,
      device_id: input.deviceId,
      upload_length: input.length,
      fields: input.fields,
      created_at: input.now,
      updated_at: input.now,
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The upload `id` when it belongs to this user and device (a session's uploads have no device),
 * whether expired or not; `undefined` for anyone else's, an unknown id or one that is no UUID.
 *
 * @example
 * const upload = await findPartialUpload(db, { id, userId, deviceId });
 */
export async function findPartialUpload(
  db: Kysely<Database>,
  input: { id: string; userId: string; deviceId: string | null },
): Promise<PartialUpload | undefined> {
  if (!isUuid(input.id)) return undefined;
  return db
    .selectFrom('partial_uploads')
    .selectAll()
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .where((eb) =>
      input.deviceId === null ? eb('device_id', 'is', null) : eb('device_id', '=', input.deviceId),
    )
    .executeTakeFirst();
}

/**
 * Moves the durable offset from `from` to `to` (the bytes are fsynced first), and the expiry
 * with it. False when the row is gone or its offset is no longer `from`: another request won.
 *
 * @example
 * if (!(await advancePartialUpload(db, { id, from: 0, to: 1_048_576, now, expiresAt }))) throw conflict;
 */
export async function advancePartialUpload(
  db: Kysely<Database>,
  input: { id: string; from: number; to: number; now: Date; expiresAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('partial_uploads')
    .set({ received_bytes: input.to, updated_at: input.now, expires_at: input.expiresAt })
    .where('id', '=', input.id)
    .where('received_bytes', '=', input.from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Forgets one upload (finished, abandoned or refused). True when it was there. */
export async function deletePartialUpload(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('partial_uploads').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Deletes the uploads expired at `now` and returns their ids, so their files can go too.
 *
 * @example
 * for (const id of await deleteExpiredPartialUploads(db, { now })) await rm(partPath(id), { force: true });
 */
export async function deleteExpiredPartialUploads(
  db: Kysely<Database>,
  input: { now: Date },
): Promise<string[]> {
  const rows = await db
    .deleteFrom('partial_uploads')
    .where('expires_at', '<=', input.now)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Of these ids, the ones a partial upload row still has (the others' files are orphans). */
export async function recordedPartialUploadIds(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Set<string>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Set();
  const rows = await db.selectFrom('partial_uploads').select('id').where('id', 'in', valid).execute();
  return new Set(rows.map((row) => row.id));
}

/** Resumable uploads under way (everyone's, or one user's): how many, bytes received, bytes still to come. */
export async function partialUploadUsage(
  db: Kysely<Database>,
  scope: { userId?: string } = {},
): Promise<{ count: number; receivedBytes: number; pendingBytes: number }> {
  let query = db.selectFrom('partial_uploads');
  if (scope.userId !== undefined) query = query.where('user_id', '=', scope.userId);
  const row = await query
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number>`coalesce(sum(received_bytes), 0)::bigint`.as('received'),
      sql<number>`coalesce(sum(upload_length - received_bytes), 0)::bigint`.as('pending'),
    ])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), receivedBytes: Number(row.received), pendingBytes: Number(row.pending) };
}
