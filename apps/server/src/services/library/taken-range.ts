import type { TakenBound } from '@iclood/db';

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A validated `from`/`to` value as the database filters take it: a plain date (`2024-01-01`,
 * what a browser's date picker sends) stays a local calendar date, anything else is an instant.
 */
export function takenBound(value: string): TakenBound {
  return PLAIN_DATE.test(value) ? { localDate: value } : new Date(value);
}

/**
 * Whether `from` comes after the end of `to`: an instant `to` is exclusive, a date `to` includes
 * its day. A date against an instant depends on each item's offset, so it is left to the query.
 */
export function isBackwardsRange(from: TakenBound, to: TakenBound): boolean {
  if (from instanceof Date && to instanceof Date) return from.getTime() >= to.getTime();
  if (!(from instanceof Date) && !(to instanceof Date)) return from.localDate > to.localDate;
  return false;
}
