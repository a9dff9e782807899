import type { Kysely } from 'kysely';

import type { Database, Media } from './schema.js';
import { isUuid } from './uuid.js';

/** What a person may change about an item; fields left out stay as they are. */
export interface MediaChanges {
  /** Shown instead of the original name; `null` goes back to the original name. */
  displayName?: string | null;
  favorite?: boolean;
}

function uuidsOnly(ids: readonly string[]): string[] {
  return [...new Set(ids.filter(isUuid))];
}

/**
 * Changes the display name or favourite flag of one of the user's items (in the trash or not);
 * the file on disk keeps its name. `undefined` when the user has no such item.
 *
 * @example
 * const media = await updateMedia(db, { userId, id, changes: { displayName: 'Beach', favorite: true } });
 */
export async function updateMedia(
  db: Kysely<Database>,
  query: { userId: string; id: string; changes: MediaChanges },
): Promise<Media | undefined> {
  const { userId, id, changes } = query;
  if (!isUuid(userId) || !isUuid(id)) return undefined;
  const set = {
    ...(changes.displayName === undefined ? {} : { display_name: changes.displayName }),
    ...(changes.favorite === undefined ? {} : { favorite: changes.favorite }),
  };
  if (Object.keys(set).length === 0) {
    return db
      .selectFrom('media')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }
  return db
    .updateTable('media')
    .set(set)
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Moves the user's items among `ids` into the trash at `at`, in one statement. Items already in
 * the trash keep their date, and ids that are not the user's are skipped. Returns the ids moved.
 *
 * @example
 * const moved = await trashMedia(db, { userId, ids, at: now }); // moved.length ≤ ids.length
 */
export async function trashMedia(
  db: Kysely<Database>,
  query: { userId: string; ids: readonly string[]; at: Date },
): Promise<string[]> {
  const ids = uuidsOnly(query.ids);
  if (!isUuid(query.userId) || ids.length === 0) return [];
  const rows = await db
    .updateTable('media')
    .set({ trashed_at: query.at })
    .where('user_id', '=', query.userId)
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))))
    .where('trashed_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Takes the user's items among `ids` out of the trash, in one statement; ids that are not the
 * user's or not in the trash are skipped. Returns the ids restored.
 */
export async function restoreMedia(
  db: Kysely<Database>,
  query: { userId: string; ids: readonly string[] },
): Promise<string[]> {
  const ids = uuidsOnly(query.ids);
  if (!isUuid(query.userId) || ids.length === 0) return [];
  const rows = await db
    .updateTable('media')
    .set({ trashed_at: null })
    .where('user_id', '=', query.userId)
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))))
    .where('trashed_at', 'is not', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
