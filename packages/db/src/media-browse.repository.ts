import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';

import type { Database, Media, MediaType, ThumbnailStatus } from './schema.js';
import { isUuid } from './uuid.js';
import { keysetPage } from './keyset-page.js';
import { LOCAL_TAKEN_AT, takenFrom, takenTo, type TakenBound } from './taken-range.js';

/** `taken`: by date taken (`media_browse_idx`); `uploaded`: by upload time (`media_uploaded_idx`). */
export type MediaSortKey = 'taken' | 'uploaded';

/** Narrows a media list; every filter given must match. */
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

/** Where a page ended: the sort instant of its last item and that item's id. */
export interface MediaListPosition {
  at: Date;
  id: string;
}

/** The columns a grid needs. */
export interface MediaListRow {
  id: string;
  media_type: MediaType;
  original_name: string;
  display_name: string | null;
  taken_at: Date;
  taken_at_offset_minutes: number | null;
  uploaded_at: Date;
  size: number;
  mime: string;
  width: number | null;
  height: number | null;
  /** EXIF orientation 1..8 (5–8 turn the picture a quarter, so a grid swaps width and height). */
  orientation: number | null;
  duration_ms: number | null;
  favorite: boolean;
  thumbnail_status: ThumbnailStatus;
}

/** A list query being built: media rows, selecting {@link MEDIA_LIST_COLUMNS}. */
type MediaListSelect = SelectQueryBuilder<Database, 'media', MediaListRow>;

export interface MediaListPage {
  items: MediaListRow[];
  /** `null` on the last page. */
  nextCursor: MediaListPosition | null;
}

export interface MediaTimelineMonth {
  year: number;
  month: number;
  count: number;
}

/** A media row with the albums it is in, by name. */
export type MediaDetailRow = Media & { albums: Array<{ id: string; name: string }> };

/** `\`, `%` and `_` are LIKE syntax; escaped, a search for `100%` finds just that. */
function likeSubstring(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The columns of {@link MediaListRow}, for every query that lists items for a grid. */
export const MEDIA_LIST_COLUMNS = [
  'media.id',
  'media.media_type',
  'media.original_name',
  'media.display_name',
  'media.taken_at',
  'media.taken_at_offset_minutes',
  'media.uploaded_at',
  'media.size',
  'media.mime',
  'media.width',
  'media.height',
  'media.orientation',
  'media.duration_ms',
  'media.favorite',
  'media.thumbnail_status',
] as const;

/**
 * One page of the user's media that are not in the trash, newest first, keyset-paginated on
 * `(taken_at, id)` or `(uploaded_at, id)` — the leading columns of the partial indexes
 * `media_browse_idx` / `media_uploaded_idx`, so a deep page costs what the first one does and
 * items added between two pages neither repeat nor push others out. Times are compared at the
 * precision they were written with; the app writes whole milliseconds, as a `Date` holds.
 *
 * @example
 * let page = await listMedia(db, { userId, limit: 100, filters: { type: 'video' }, sort: 'taken' });
 * while (page.nextCursor) page = await listMedia(db, { userId, limit: 100, after: page.nextCursor, filters: {}, sort: 'taken' });
 */
export async function listMedia(
  db: Kysely<Database>,
  query: {
    userId: string;
    limit: number;
    after?: MediaListPosition;
    filters: MediaListFilters;
    sort: MediaSortKey;
  },
): Promise<MediaListPage> {
  const { userId, limit, after, filters } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  // A position that names no possible item (tampered with, say) ends the list.
  if (after && (!isUuid(after.id) || Number.isNaN(after.at.getTime())))
    return { items: [], nextCursor: null };
  if (filters.deviceId !== undefined && !isUuid(filters.deviceId)) return { items: [], nextCursor: null };
  if (filters.albumId !== undefined && !isUuid(filters.albumId)) return { items: [], nextCursor: null };

  const sortColumn = query.sort === 'uploaded' ? 'uploaded_at' : 'taken_at';
  // One page of one way of matching: every filter, the keyset, the order and the limit.
  const page = (match?: (select: MediaListSelect) => MediaListSelect) => {
    let select = db
      .selectFrom('media')
      .select(MEDIA_LIST_COLUMNS)
      .where('user_id', '=', userId)
      .where('trashed_at', 'is', null);
    if (after) {
      select = select.where((eb) => eb(eb.refTuple(sortColumn, 'id'), '<', eb.tuple(after.at, after.id)));
    }
    if (filters.from) select = select.where(takenFrom(filters.from));
    if (filters.to) select = select.where(takenTo(filters.to));
    if (filters.type) select = select.where('media_type', '=', filters.type);
    if (filters.favorite !== undefined) select = select.where('favorite', '=', filters.favorite);
    if (filters.deviceId) select = select.where('device_id', '=', filters.deviceId);
    if (filters.albumId) {
      const albumId = filters.albumId;
      // A semi-join on album_media's primary key (album_id, media_id): the page is still read in
      // index order and cut by the same keyset, so pagination works as without the filter.
      select = select.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('album_media')
            .select('album_media.media_id')
            .where('album_media.album_id', '=', albumId)
            .whereRef('album_media.media_id', '=', 'media.id'),
        ),
      );
    }
    if (match) select = match(select);
    return select
      .orderBy(sortColumn, 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
  };

  let rows: MediaListRow[];
  if (!filters.q) {
    rows = await page().execute();
  } else {
    const pattern = likeSubstring(filters.q);
    const byName = (select: MediaListSelect) =>
      select.where((eb) =>
        eb.or([eb('original_name', 'ilike', pattern), eb('display_name', 'ilike', pattern)]),
      );
    // Albums are few: find the matching ones first. Usually there are none, and the name search
    // alone can use the trigram index (media_name_trgm_idx); an OR with an album subquery cannot.
    const albumIds = (
      await db
        .selectFrom('albums')
        .select('id')
        .where('user_id', '=', userId)
        .where('name', 'ilike', pattern)
        .execute()
    ).map((album) => album.id);
    if (albumIds.length === 0) {
      rows = await byName(page()).execute();
    } else {
      // Matched by name, or in a matching album: one page of each, merged, then cut to one page.
      const inAlbums = (select: MediaListSelect) =>
        select.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('album_media')
              .select('album_media.media_id')
              .where('album_media.album_id', 'in', albumIds)
              .whereRef('album_media.media_id', '=', 'media.id'),
          ),
        );
      rows = await db
        .selectFrom(page(byName).as('by_name'))
        .selectAll()
        .union(db.selectFrom(page(inAlbums).as('in_albums')).selectAll())
        .orderBy(sortColumn, 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
    }
  }

  return keysetPage(rows, limit, (last) => ({
    at: query.sort === 'uploaded' ? last.uploaded_at : last.taken_at,
    id: last.id,
  }));
}

/**
 * How many of the user's media (trash excluded) were taken in each month, newest month first,
 * in one grouped query. The month is the one on the camera's calendar: `taken_at` moved by
 * `taken_at_offset_minutes` when the file recorded it, UTC otherwise.
 *
 * @example
 * const months = await mediaTimeline(db, { userId }); // [{ year: 2024, month: 7, count: 312 }, …]
 */
export async function mediaTimeline(
  db: Kysely<Database>,
  query: { userId: string },
): Promise<MediaTimelineMonth[]> {
  if (!isUuid(query.userId)) return [];
  const { rows } = await sql<MediaTimelineMonth>`
    select extract(year from local_month)::int as year, extract(month from local_month)::int as month,
      count(*)::int as count
    from (
      select date_trunc('month', ${LOCAL_TAKEN_AT}) as local_month
      from media
      where user_id = ${query.userId} and trashed_at is null
    ) taken
    group by local_month
    order by local_month desc`.execute(db);
  return rows;
}

/** The user's item with this id, in the trash or not; `undefined` for anyone else's. */
export async function findUserMedia(
  db: Kysely<Database>,
  query: { userId: string; id: string },
): Promise<Media | undefined> {
  if (!isUuid(query.userId) || !isUuid(query.id)) return undefined;
  return db
    .selectFrom('media')
    .selectAll()
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
}

/** {@link findUserMedia} plus the albums the item is in, by name. */
export async function findMediaDetail(
  db: Kysely<Database>,
  query: { userId: string; id: string },
): Promise<MediaDetailRow | undefined> {
  const media = await findUserMedia(db, query);
  if (!media) return undefined;
  const albums = await db
    .selectFrom('album_media')
    .innerJoin('albums', 'albums.id', 'album_media.album_id')
    .select(['albums.id', 'albums.name'])
    .where('album_media.media_id', '=', media.id)
    .where('albums.user_id', '=', query.userId)
    .orderBy('albums.name')
    .orderBy('albums.id')
    .execute();
  return { ...media, albums };
}
