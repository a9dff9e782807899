import type { Kysely } from 'kysely';

import type { Database } from './schema.js';
import { isUuid } from './uuid.js';
import { keysetPage } from './keyset-page.js';
import type { TakenBound } from './taken-range.js';
import { mediaMatches, type MediaListFilters } from './media-filters.js';

/** What a restore archive holds: chosen items, a span of dates taken, or an album. */
export type RestoreSelection =
  | { kind: 'ids'; ids: readonly string[] }
  /** `from` inclusive, `to` exclusive (a date `to` includes its day); either may be left open. */
  | { kind: 'taken'; from?: TakenBound; to?: TakenBound }
  | { kind: 'album'; albumId: string };

/** The columns an archive entry needs. */
export interface RestoreRow {
  id: string;
  original_name: string;
  rel_path: string;
  size: number;
  taken_at: Date;
  taken_at_offset_minutes: number | null;
}

/** Where a batch ended: the date taken of its last item and that item's id. */
export interface RestorePosition {
  takenAt: Date;
  id: string;
}

export interface RestoreBatch {
  items: RestoreRow[];
  /** `null` after the last batch. */
  nextCursor: RestorePosition | null;
}

const NOTHING: RestoreBatch = { items: [], nextCursor: null };

/**
 * One batch of the user's items (trash excluded) that a selection names, oldest taken first,
 * keyset-paginated on `(taken_at, id)` — `media_browse_idx` read backwards — so a restore of the
 * whole library reads it a batch at a time while the archive streams. Ids of other users' items,
 * of unknown items and of an album that is not the user's simply match nothing.
 *
 * @example
 * let batch = await listRestoreBatch(db, { userId, selection: { kind: 'album', albumId }, limit: 200 });
 * while (batch.nextCursor) batch = await listRestoreBatch(db, { userId, selection, limit: 200, after: batch.nextCursor });
 */
export async function listRestoreBatch(
  db: Kysely<Database>,
  query: { userId: string; selection: RestoreSelection; limit: number; after?: RestorePosition },
): Promise<RestoreBatch> {
  const { userId, selection, limit, after } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!isUuid(userId)) return NOTHING;
  if (after && (!isUuid(after.id) || Number.isNaN(after.takenAt.getTime()))) return NOTHING;

  // The same filters as the list and the summary, so the archive holds what they count.
  const filters: MediaListFilters =
    selection.kind === 'album'
      ? { albumId: selection.albumId }
      : selection.kind === 'taken'
        ? {
            ...(selection.from ? { from: selection.from } : {}),
            ...(selection.to ? { to: selection.to } : {}),
          }
        : {};
  // No search, so one way of matching at most.
  const [match] = await mediaMatches(db, userId, filters);
  if (!match) return NOTHING;
  let select = match(
    db
      .selectFrom('media')
      .select(['id', 'original_name', 'rel_path', 'size', 'taken_at', 'taken_at_offset_minutes']),
  );
  if (selection.kind === 'ids') {
    const ids = [...new Set(selection.ids.filter(isUuid).map((id) => id.toLowerCase()))];
    if (ids.length === 0) return NOTHING;
    select = select.where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))));
  }
  if (after) {
    select = select.where((eb) => eb(eb.refTuple('taken_at', 'id'), '>', eb.tuple(after.takenAt, after.id)));
  }
  const rows = await select
    .orderBy('taken_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit + 1)
    .execute();
  return keysetPage(rows, limit, (last) => ({ takenAt: last.taken_at, id: last.id }));
}

/** Whether the user has an album with this id (another user's album does not count). */
export async function userHasAlbum(
  db: Kysely<Database>,
  query: { userId: string; albumId: string },
): Promise<boolean> {
  if (!isUuid(query.userId) || !isUuid(query.albumId)) return false;
  const row = await db
    .selectFrom('albums')
    .select('id')
    .where('id', '=', query.albumId)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
  return row !== undefined;
}
