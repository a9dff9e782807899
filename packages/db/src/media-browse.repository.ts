import { sql, type Kysely } from 'kysely';

import type { Database, Media, MediaType, ThumbnailStatus } from './schema.js';
import { isUuid } from './uuid.js';
import { keysetPage } from './keyset-page.js';
import { LOCAL_TAKEN_AT } from './taken-range.js';
import { mediaMatches, type MediaListFilters, type MediaMatch } from './media-filters.js';

/** `taken`: by date taken (`media_browse_idx`); `uploaded`: by upload time (`media_uploaded_idx`). */
export type MediaSortKey = 'taken' | 'uploaded';

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
  // A position that names no possible item (tampered with, say) ends the list.
  if (after && (!isUuid(after.id) || Number.isNaN(after.at.getTime())))
    return { items: [], nextCursor: null };
  const matches = await mediaMatches(db, userId, filters);
  if (matches.length === 0) return { items: [], nextCursor: null };

  const sortColumn = query.sort === 'uploaded' ? 'uploaded_at' : 'taken_at';
  // One page of one way of matching: the filters, the keyset, the order and the limit.
  const page = (match: MediaMatch) => {
    let select = match(db.selectFrom('media').select(MEDIA_LIST_COLUMNS));
    if (after) {
      select = select.where((eb) => eb(eb.refTuple(sortColumn, 'id'), '<', eb.tuple(after.at, after.id)));
    }
    return select
      .orderBy(sortColumn, 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
  };

  const [first, ...others] = matches;
  let rows: MediaListRow[];
  if (others.length === 0) {
    rows = await page(first!).execute();
  } else {
    // Matched in more than one way: one page of each, merged (an item matched twice once), then
    // cut to one page.
    rows = await others
      .reduce(
        (merged, match, index) =>
          merged.union(db.selectFrom(page(match).as(`matched_${index + 1}`)).selectAll()),
        db.selectFrom(page(first!).as('matched_0')).selectAll(),
      )
      .orderBy(sortColumn, 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
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
