import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * One end of a "taken" range: an instant, or a calendar date (`YYYY-MM-DD`) on the camera's clock:
 * `taken_at` in the offset the file recorded, UTC when it recorded none (as the timeline counts).
 */
export type TakenBound = Date | { localDate: string };

/** The wall-clock time an item was taken: in the offset the file recorded, UTC when none. */
export const LOCAL_TAKEN_AT = sql`((media.taken_at at time zone 'UTC') + make_interval(mins => coalesce(media.taken_at_offset_minutes, 0)))`;

/** Taken at or after `from`; a date includes that whole day. */
export function takenFrom(from: TakenBound): RawBuilder<SqlBool> {
  return from instanceof Date
    ? sql<SqlBool>`media.taken_at >= ${from}`
    : sql<SqlBool>`${LOCAL_TAKEN_AT} >= cast(${from.localDate} as date)`;
}

/** Taken before the instant `to` (exclusive), or on or before the date `to` (its whole day). */
export function takenTo(to: TakenBound): RawBuilder<SqlBool> {
  return to instanceof Date
    ? sql<SqlBool>`media.taken_at < ${to}`
    : sql<SqlBool>`${LOCAL_TAKEN_AT} < cast(${to.localDate} as date) + 1`;
}
