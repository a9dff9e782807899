import type { Kysely, SelectQueryBuilder } from 'kysely';

import type { Database, MediaType } from './schema.js';
import { isUuid } from './uuid.js';
import { takenFrom, takenTo, type TakenBound } from './taken-range.js';

/** Narrows a media list, summary or restore; every filter given must match. */
export interface MediaListFilters {
  /** Taken at or after (a date: on or after that day). */
  from?: TakenBound;
  /** Taken before (exclusive; a date: on or before that day). */
  to?: TakenBound;
  type?: MediaType;
  favorite?: boolean;
  deviceId?: string;
  /** In this album (an album of another user matches nothing). */
  albumId?: string;
  /**
   * Part of the original or display name, or of the name of an album the item is in; any case;
   * `%` and `_` match themselves.
   */
  q?: string;
}

/**
 * One complete way for an item to match: the user's, outside the trash, admitted by every filter.
 * Generic in the selection, so a page, a batch and an aggregate narrow the same way.
 */
export type MediaMatch = <O>(
  select: SelectQueryBuilder<Database, 'media', O>,
) => SelectQueryBuilder<Database, 'media', O>;

/** `\`, `%` and `_` are LIKE syntax; escaped, a search for `100%` finds just that. */
function likeSubstring(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * The ways the user's items (trash excluded) can match `filters`; an item matches when any one of
 * them admits it, so callers run each and union the rows (by id). Without `q`, or when `q` names
 * none of the user's albums (the usual case), that is one; otherwise two — by name, and in a
 * matching album — because the name search alone can use the trigram index
 * (`media_name_trgm_idx`) and an OR with an album subquery cannot. None when a filter names
 * nothing possible (a malformed user, device or album id). The list, the summary and the restore
 * archive all select through this, so they agree on what a filter means.
 *
 * @example
 * const matches = await mediaMatches(db, userId, { type: 'video', q: 'beach' });
 * const queries = matches.map((match) => match(db.selectFrom('media').select('media.id')));
 */
export async function mediaMatches(
  db: Kysely<Database>,
  userId: string,
  filters: MediaListFilters,
): Promise<MediaMatch[]> {
  if (!isUuid(userId)) return [];
  if (filters.deviceId !== undefined && !isUuid(filters.deviceId)) return [];
  if (filters.albumId !== undefined && !isUuid(filters.albumId)) return [];

  const filtered: MediaMatch = (select) => {
    let narrowed = select.where('media.user_id', '=', userId).where('media.trashed_at', 'is', null);
    if (filters.from) narrowed = narrowed.where(takenFrom(filters.from));
    if (filters.to) narrowed = narrowed.where(takenTo(filters.to));
    if (filters.type) narrowed = narrowed.where('media.media_type', '=', filters.type);
    if (filters.favorite !== undefined) narrowed = narrowed.where('media.favorite', '=', filters.favorite);
    if (filters.deviceId) narrowed = narrowed.where('media.device_id', '=', filters.deviceId);
    if (filters.albumId) {
      const albumId = filters.albumId;
      // A semi-join on album_media's primary key (album_id, media_id): a page is still read in
      // index order and cut by its keyset. The album's owner is checked here, not left to how
      // album_media was filled.
      narrowed = narrowed.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('album_media')
            .innerJoin('albums', 'albums.id', 'album_media.album_id')
            .select('album_media.media_id')
            .where('album_media.album_id', '=', albumId)
            .where('albums.user_id', '=', userId)
            .whereRef('album_media.media_id', '=', 'media.id'),
        ),
      );
    }
    return narrowed;
  };
  if (!filters.q) return [filtered];

  const pattern = likeSubstring(filters.q);
  const byName: MediaMatch = (select) =>
    filtered(select).where((eb) =>
      eb.or([eb('media.original_name', 'ilike', pattern), eb('media.display_name', 'ilike', pattern)]),
    );
  // Albums are few: find the matching ones first.
  const albumIds = (
    await db
      .selectFrom('albums')
      .select('id')
      .where('user_id', '=', userId)
      .where('name', 'ilike', pattern)
      .execute()
  ).map((album) => album.id);
  if (albumIds.length === 0) return [byName];
  const inAlbums: MediaMatch = (select) =>
    filtered(select).where(({ exists, selectFrom }) =>
      exists(
        selectFrom('album_media')
          .select('album_media.media_id')
          .where('album_media.album_id', 'in', albumIds)
          .whereRef('album_media.media_id', '=', 'media.id'),
      ),
    );
  return [byName, inAlbums];
}
