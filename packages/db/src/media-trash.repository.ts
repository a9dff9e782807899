import type { Kysely } from 'kysely';

import { keysetPage } from './keyset-page.js';
import { MEDIA_LIST_COLUMNS, type MediaListRow } from './media-browse.repository.js';
import type { Database } from './schema.js';
import { isUuid } from './uuid.js';

/** An item in the trash, as the trash view lists it. */
export type TrashRow = MediaListRow & { trashed_at: Date };

/** Where a trash page ended: the deletion instant of its last item and that item's id. */
export interface TrashPosition {
  trashedAt: Date;
  id: string;
}

export interface TrashPage {
  items: TrashRow[];
  /** `null` on the last page. */
  nextCursor: TrashPosition | null;
}

/**
 * Which trashed items a purge takes. Every field given narrows it: one user's, these ids,
 * trashed at or before an instant (the retention cut-off). None given: the whole trash.
 */
export interface PurgeScope {
  userId?: string;
  ids?: readonly string[];
  /** Trashed at or before this instant. */
  trashedBy?: Date;
}

/** A trashed item about to be removed for good: what its files are and what they weigh. */
export interface PurgeCandidate {
  id: string;
  user_id: string;
  rel_path: string;
  size: number;
  trashed_at: Date;
}

/**
 * One page of the user's trash, most recently deleted first, keyset-paginated on
 * `(trashed_at, id)` — the order of the partial index `media_trash_idx`, so a deep page costs
 * what the first does.
 *
 * @example
 * const page = await listTrash(db, { userId, limit: 100 });
 * const next = page.nextCursor && (await listTrash(db, { userId, limit: 100, after: page.nextCursor }));
 */
export async function listTrash(
  db: Kysely<Database>,
  query: { userId: string; limit: number; after?: TrashPosition },
): Promise<TrashPage> {
  const { userId, limit, after } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  if (after && (!isUuid(after.id) || Number.isNaN(after.trashedAt.getTime())))
    return { items: [], nextCursor: null };
  let select = db
    .selectFrom('media')
    .select([...MEDIA_LIST_COLUMNS, 'media.trashed_at'])
    .where('user_id', '=', userId)
    .where('trashed_at', 'is not', null);
  if (after) {
    select = select.where((eb) =>
      eb(eb.refTuple('trashed_at', 'id'), '<', eb.tuple(after.trashedAt, after.id)),
    );
  }
  const rows = (await select
    .orderBy('trashed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()) as TrashRow[];
  return keysetPage(rows, limit, (last) => ({ trashedAt: last.trashed_at, id: last.id }));
}

/**
 * The next trashed items a purge should take, oldest deleted first, `limit` at a time; pass the
 * last one back as `after` for the batch after. Served by `media_trash_idx` for one user and
 * `media_trashed_at_idx` for everyone.
 */
export async function trashedMediaToPurge(
  db: Kysely<Database>,
  query: { scope: PurgeScope; limit: number; after?: { trashedAt: Date; id: string } },
): Promise<PurgeCandidate[]> {
  const { scope, limit, after } = query;
  const ids = scope.ids === undefined ? undefined : [...new Set(scope.ids.filter(isUuid))];
  if ((scope.userId !== undefined && !isUuid(scope.userId)) || ids?.length === 0) return [];
  let select = db
    .selectFrom('media')
    .select(['id', 'user_id', 'rel_path', 'size', 'trashed_at'])
    .where('trashed_at', 'is not', null);
  if (scope.userId !== undefined) select = select.where('user_id', '=', scope.userId);
  if (ids !== undefined) select = select.where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))));
  if (scope.trashedBy !== undefined) select = select.where('trashed_at', '<=', scope.trashedBy);
  if (after) {
    select = select.where((eb) =>
      eb(eb.refTuple('trashed_at', 'id'), '>', eb.tuple(after.trashedAt, after.id)),
    );
  }
  const rows = await select.orderBy('trashed_at').orderBy('id').limit(limit).execute();
  return rows as PurgeCandidate[];
}

/**
 * Deletes the rows of the given items that are still in the trash and still in `scope` (one
 * restored meanwhile stays), in one statement; their album entries and jobs go with them
 * (foreign keys cascade). Returns the rows deleted: only their files may then be removed.
 */
export async function deleteTrashedMedia(
  db: Kysely<Database>,
  query: { ids: readonly string[]; scope: PurgeScope },
): Promise<PurgeCandidate[]> {
  const { scope } = query;
  const ids = [...new Set(query.ids.filter(isUuid))];
  if (ids.length === 0 || (scope.userId !== undefined && !isUuid(scope.userId))) return [];
  let remove = db
    .deleteFrom('media')
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(ids))))
    .where('trashed_at', 'is not', null);
  if (scope.userId !== undefined) remove = remove.where('user_id', '=', scope.userId);
  if (scope.trashedBy !== undefined) remove = remove.where('trashed_at', '<=', scope.trashedBy);
  const rows = await remove.returning(['id', 'user_id', 'rel_path', 'size', 'trashed_at']).execute();
  return rows as PurgeCandidate[];
}
