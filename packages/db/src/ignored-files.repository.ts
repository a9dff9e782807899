import { sql, type Kysely } from 'kysely';

import { inTransaction } from './in-transaction.js';
import type { Database, IgnoredFile } from './schema.js';
import { isUuid } from './uuid.js';
import { keysetPage } from './keyset-page.js';

/** A file a client asks never to be offered for backup again. */
export interface IgnoredFileItem {
  name: string;
  originalPath?: string | null;
  /** Lowercase hex SHA-256, when the client knows it. */
  sha256?: string | null;
  localId?: string | null;
}

/** Where a page of the ignore list ends; pass it back for the next page. */
export interface IgnoredFilesCursor {
  createdAt: Date;
  id: string;
}

export interface IgnoredFilesPage {
  items: IgnoredFile[];
  /** `null` on the last page. */
  nextCursor: IgnoredFilesCursor | null;
}

/**
 * Adds files to the user's ignore list and returns the ignore entry of each distinct item, in
 * input order: the new one, or the one already there when an entry with the same name,
 * original path, sha256 and local id (nulls equal) exists. Retrying a request therefore adds
 * nothing and answers the same. Concurrent calls for one user are serialised by a transaction
 * advisory lock, so they cannot add the same entry twice either.
 *
 * Entries are stamped with `now` (default: the database clock), at millisecond precision so a
 * `Date` cursor of {@link listIgnoredFiles} names an entry exactly.
 *
 * @example
 * const entries = await addIgnoredFiles(db, { userId, deviceId, items: [{ name: 'IMG_0001.HEIC', localId }] });
 */
export async function addIgnoredFiles(
  db: Kysely<Database>,
  input: {
    userId: string;
    deviceId?: string | null;
    items: readonly IgnoredFileItem[];
    now?: Date;
  },
): Promise<IgnoredFile[]> {
  const { userId, items } = input;
  if (items.length === 0) return [];
  const names = items.map((item) => item.name);
  const paths = items.map((item) => item.originalPath ?? null);
  const hashes = items.map((item) => item.sha256 ?? null);
  const localIds = items.map((item) => item.localId ?? null);
  const createdAt = input.now ?? sql<Date>`date_trunc('milliseconds', now())`;

  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`ignored_files ${userId}`}, 0))`.execute(trx);
    await sql`
      insert into ignored_files (user_id, device_id, name, original_path, sha256, local_id, created_at)
      select ${userId}::uuid, ${input.deviceId ?? null}::uuid, item.name, item.original_path, item.sha256,
        item.local_id, ${createdAt}::timestamptz
      from (
        select distinct name, original_path, sha256, local_id
        from unnest(${names}::text[], ${paths}::text[], ${hashes}::text[], ${localIds}::text[])
          as item(name, original_path, sha256, local_id)
      ) item
      where not exists (
        select 1 from ignored_files f
        where f.user_id = ${userId} and f.name = item.name
          and f.original_path is not distinct from item.original_path
          and f.sha256 is not distinct from item.sha256
          and f.local_id is not distinct from item.local_id
      )`.execute(trx);

    const { rows } = await sql<IgnoredFile>`
      select f.*
      from (
        select name, original_path, sha256, local_id, min(ord) as ord
        from unnest(${names}::text[], ${paths}::text[], ${hashes}::text[], ${localIds}::text[])
          with ordinality as item(name, original_path, sha256, local_id, ord)
        group by name, original_path, sha256, local_id
      ) item
      cross join lateral (
        select * from ignored_files f
        where f.user_id = ${userId} and f.name = item.name
          and f.original_path is not distinct from item.original_path
          and f.sha256 is not distinct from item.sha256
          and f.local_id is not distinct from item.local_id
        order by f.created_at, f.id
        limit 1
      ) f
      order by item.ord`.execute(trx);
    return rows;
  });
}

/**
 * One page of the user's ignore list, newest first, keyset-paginated on
 * `(created_at, id)` by the `ignored_files_user_created_idx` index.
 *
 * @example
 * let page = await listIgnoredFiles(db, { userId, limit: 100 });
 * while (page.nextCursor) page = await listIgnoredFiles(db, { userId, limit: 100, cursor: page.nextCursor });
 */
export async function listIgnoredFiles(
  db: Kysely<Database>,
  query: { userId: string; limit: number; cursor?: IgnoredFilesCursor },
): Promise<IgnoredFilesPage> {
  const { userId, limit, cursor } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  // A cursor that names no possible entry (tampered with, say) ends the list.
  if (cursor && (!isUuid(cursor.id) || Number.isNaN(cursor.createdAt.getTime()))) {
    return { items: [], nextCursor: null };
  }

  let select = db.selectFrom('ignored_files').selectAll().where('user_id', '=', userId);
  if (cursor) {
    select = select.where((eb) =>
      eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(cursor.createdAt, cursor.id)),
    );
  }
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();

  return keysetPage(rows, limit, (last) => ({ createdAt: last.created_at, id: last.id }));
}

/** Takes one entry off the user's ignore list. `false` when the user has no such entry. */
export async function deleteIgnoredFile(
  db: Kysely<Database>,
  query: { id: string; userId: string },
): Promise<boolean> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return false;
  const result = await db
    .deleteFrom('ignored_files')
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
