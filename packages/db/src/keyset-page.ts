/**
 * Turns the rows of a keyset query that asked for `limit + 1` into a page: the first `limit`
 * rows, and the cursor of the last one when the extra row shows there is more.
 */
export function keysetPage<Row, Cursor>(
  rows: Row[],
  limit: number,
  cursorOf: (last: Row) => Cursor,
): { items: Row[]; nextCursor: Cursor | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
