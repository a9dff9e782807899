import { sql, type Kysely } from 'kysely';

import type { Database } from './schema.js';
import { mediaMatches, type MediaListFilters } from './media-filters.js';

/** How much a selection of media holds. */
export interface MediaSummaryRow {
  count: number;
  /** The sum of the originals' sizes. */
  bytes: number;
  photos: number;
  videos: number;
  /** The earliest time taken; `null` when nothing matches. */
  takenFrom: Date | null;
  /** The latest time taken; `null` when nothing matches. */
  takenTo: Date | null;
}

const EMPTY: MediaSummaryRow = { count: 0, bytes: 0, photos: 0, videos: 0, takenFrom: null, takenTo: null };

/**
 * How many of the user's media (trash excluded) match `filters`, and how large they are: one
 * aggregate over exactly the items {@link listMedia} would page through with the same filters
 * (and a restore of the same range or album would archive), as both select through
 * {@link mediaMatches}.
 *
 * @example
 * const { count, bytes } = await summarizeMedia(db, { userId, filters: { albumId } });
 */
export async function summarizeMedia(
  db: Kysely<Database>,
  query: { userId: string; filters: MediaListFilters },
): Promise<MediaSummaryRow> {
  const [first, ...others] = await mediaMatches(db, query.userId, query.filters);
  if (!first) return EMPTY;
  const matching = (match: typeof first) =>
    match(db.selectFrom('media').select(['media.id', 'media.size', 'media.media_type', 'media.taken_at']));
  // Matched in more than one way: a union, so an item matched twice counts once (`id` is selected).
  const matched = others.reduce((merged, match) => merged.union(matching(match)), matching(first));
  const row = await db
    .selectFrom(matched.as('matched'))
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number>`coalesce(sum(matched.size), 0)::bigint`.as('bytes'),
      sql<number>`(count(*) filter (where matched.media_type = 'photo'))::int`.as('photos'),
      sql<number>`(count(*) filter (where matched.media_type = 'video'))::int`.as('videos'),
      sql<Date | null>`min(matched.taken_at)`.as('takenFrom'),
      sql<Date | null>`max(matched.taken_at)`.as('takenTo'),
    ])
    .executeTakeFirstOrThrow();
  return row;
}
