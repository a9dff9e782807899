import { sql, type Kysely, type Transaction } from 'kysely';

import { isUniqueViolation } from './errors.js';
import { inTransaction } from './in-transaction.js';
import type { Album, Database } from './schema.js';
import { isUuid } from './uuid.js';

/** `name`: A→Z, any case; `recent`: last changed (created, renamed, items added or removed) first. */
export type AlbumSort = 'name' | 'recent';

/** An album as lists show it. */
export interface AlbumSummaryRow {
  id: string;
  name: string;
  /** The cover the user chose, if any (it may since have been trashed or removed). */
  cover_media_id: string | null;
  /** The item to show: the chosen cover if it is still in the album and not trashed, else the newest taken. */
  cover_id: string | null;
  /** Items in the album that are not in the trash. */
  item_count: number;
  created_at: Date;
  updated_at: Date;
}

export type CreateAlbumResult = { status: 'created'; album: Album } | { status: 'name-taken' };

export interface AlbumChanges {
  name?: string;
  /** Must be an item in the album; `null` goes back to the newest item. */
  coverMediaId?: string | null;
}

export type UpdateAlbumResult =
  | { status: 'updated'; album: Album }
  | { status: 'not-found' }
  | { status: 'name-taken' }
  | { status: 'cover-not-in-album' };

const NAME_KEY = 'albums_user_name_key';

function uuidsOnly(ids: readonly string[]): string[] {
  return [...new Set(ids.filter(isUuid))];
}

/** Counts and covers for the user's albums (one, when `albumId` is given), in one query. */
async function albumSummaries(
  db: Kysely<Database>,
  query: { userId: string; albumId?: string; sort: AlbumSort },
): Promise<AlbumSummaryRow[]> {
  const order =
    query.sort === 'recent' ? sql`a.updated_at desc, a.id desc` : sql`lower(a.name), a.name, a.id`;
  const { rows } = await sql<AlbumSummaryRow>`
    select a.id, a.name, a.cover_media_id, a.created_at, a.updated_at,
      counted.item_count, coalesce(chosen.id, newest.id) as cover_id
    from albums a
    cross join lateral (
      select count(*)::int as item_count
      from album_media am join media m on m.id = am.media_id
      where am.album_id = a.id and m.trashed_at is null
    ) counted
    left join lateral (
      select m.id from media m
      where m.id = a.cover_media_id and m.trashed_at is null
        and exists (select 1 from album_media am where am.album_id = a.id and am.media_id = m.id)
    ) chosen on true
    left join lateral (
      select m.id
      from album_media am join media m on m.id = am.media_id
      where chosen.id is null and am.album_id = a.id and m.trashed_at is null
      order by m.taken_at desc, m.id desc
      limit 1
    ) newest on true
    where a.user_id = ${query.userId}
      ${query.albumId === undefined ? sql`` : sql`and a.id = ${query.albumId}`}
    order by ${order}`.execute(db);
  return rows;
}

/**
 * The user's albums with their item counts (trash left out) and covers, in one query.
 *
 * @example
 * const albums = await listAlbums(db, { userId, sort: 'name' });
 */
export async function listAlbums(
  db: Kysely<Database>,
  query: { userId: string; sort: AlbumSort },
): Promise<AlbumSummaryRow[]> {
  if (!isUuid(query.userId)) return [];
  return albumSummaries(db, query);
}

/** One of the user's albums with its count and cover; `undefined` for anyone else's. */
export async function findAlbum(
  db: Kysely<Database>,
  query: { userId: string; id: string },
): Promise<AlbumSummaryRow | undefined> {
  if (!isUuid(query.userId) || !isUuid(query.id)) return undefined;
  const [album] = await albumSummaries(db, { userId: query.userId, albumId: query.id, sort: 'name' });
  return album;
}

/**
 * Creates an album. Names are unique per user in any case (`albums_user_name_key` on
 * `(user_id, lower(name))`), so "Trip" is refused when "trip" exists. The caller trims and
 * checks the name (1–200 characters, the `albums_name_check`).
 */
export async function createAlbum(
  db: Kysely<Database>,
  input: { userId: string; name: string; at?: Date },
): Promise<CreateAlbumResult> {
  const album = await db
    .insertInto('albums')
    .values({
      user_id: input.userId,
      name: input.name,
      ...(input.at ? { created_at: input.at, updated_at: input.at } : {}),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return album ? { status: 'created', album } : { status: 'name-taken' };
}

/**
 * Renames an album or sets its cover, which must be an item in it, in one statement. Renaming to
 * a name another of the user's albums has (in any case) is refused; changing only the case of its
 * own name is not. Inside a caller's transaction, a name clash aborts that transaction.
 */
export async function updateAlbum(
  db: Kysely<Database>,
  query: { userId: string; id: string; changes: AlbumChanges; at?: Date },
): Promise<UpdateAlbumResult> {
  const { userId, id, changes } = query;
  if (!isUuid(userId) || !isUuid(id)) return { status: 'not-found' };
  const { coverMediaId } = changes;
  if (typeof coverMediaId === 'string' && !isUuid(coverMediaId)) {
    return (await findAlbumRow(db, { userId, id }))
      ? { status: 'cover-not-in-album' }
      : { status: 'not-found' };
  }
  let update = db
    .updateTable('albums')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(coverMediaId === undefined ? {} : { cover_media_id: coverMediaId }),
      updated_at: query.at ?? sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('user_id', '=', userId);
  if (typeof coverMediaId === 'string') {
    update = update.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('album_media')
          .select('album_media.media_id')
          .whereRef('album_media.album_id', '=', 'albums.id')
          .where('album_media.media_id', '=', coverMediaId),
      ),
    );
  }
  let album: Album | undefined;
  try {
    album = await update.returningAll().executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err, NAME_KEY)) return { status: 'name-taken' };
    throw err;
  }
  if (album) return { status: 'updated', album };
  // Nothing matched: either the album is not the user's, or the cover is not in it.
  const exists = typeof coverMediaId === 'string' && (await findAlbumRow(db, { userId, id }));
  return exists ? { status: 'cover-not-in-album' } : { status: 'not-found' };
}

async function findAlbumRow(db: Kysely<Database>, query: { userId: string; id: string }) {
  return db
    .selectFrom('albums')
    .select('id')
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
}

/** Deletes one of the user's albums; its items stay in the library. False when there was none. */
export async function deleteAlbum(
  db: Kysely<Database>,
  query: { userId: string; id: string },
): Promise<boolean> {
  if (!isUuid(query.userId) || !isUuid(query.id)) return false;
  const deleted = await db
    .deleteFrom('albums')
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** The album row, locked against deletion until the transaction ends; `undefined` if not the user's. */
async function lockAlbum(trx: Transaction<Database>, query: { userId: string; id: string }) {
  return trx
    .selectFrom('albums')
    .select('id')
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/** Which items to add to or take out of which of the user's albums. */
interface AlbumMediaChange {
  userId: string;
  albumId: string;
  mediaIds: readonly string[];
  at?: Date;
}

/**
 * Runs `change` with the user's album locked and the well-formed ids among `mediaIds`: the album
 * not the user's (or not an id) → `undefined`, no usable ids → `[]` without calling it.
 */
async function inLockedAlbum(
  db: Kysely<Database>,
  query: AlbumMediaChange,
  change: (trx: Transaction<Database>, ids: string[]) => Promise<string[]>,
): Promise<string[] | undefined> {
  const { userId, albumId } = query;
  if (!isUuid(userId) || !isUuid(albumId)) return undefined;
  const ids = uuidsOnly(query.mediaIds);
  return inTransaction(db, async (trx) => {
    if (!(await lockAlbum(trx, { userId, id: albumId }))) return undefined;
    if (ids.length === 0) return [];
    return change(trx, ids);
  });
}

/**
 * Adds the user's items among `mediaIds` to one of the user's albums, in one statement; ids that
 * are not the user's, and items already in the album, are skipped. Returns the ids added, or
 * `undefined` when the album is not the user's.
 *
 * @example
 * const added = await addMediaToAlbum(db, { userId, albumId, mediaIds });
 * if (added === undefined) throw notFound();
 */
export async function addMediaToAlbum(
  db: Kysely<Database>,
  query: AlbumMediaChange,
): Promise<string[] | undefined> {
  const { userId, albumId } = query;
  return inLockedAlbum(db, query, async (trx, ids) => {
    const added = await trx
      .insertInto('album_media')
      .columns(['album_id', 'media_id', 'added_at'])
      .expression((eb) =>
        eb
          .selectFrom('media')
          .select([
            sql<string>`${albumId}::uuid`.as('album_id'),
            'media.id',
            (query.at ? sql<Date>`${query.at}::timestamptz` : sql<Date>`now()`).as('added_at'),
          ])
          .where('media.user_id', '=', userId)
          .where((inner) => inner('media.id', '=', inner.fn.any(inner.val(ids)))),
      )
      .onConflict((oc) => oc.doNothing())
      .returning('media_id')
      .execute();
    if (added.length > 0) await touchAlbums(trx, [albumId], query.at);
    return added.map((row) => row.media_id);
  });
}

/**
 * Takes items out of one of the user's albums (the items stay in the library); a chosen cover
 * among them is cleared. Returns the ids removed, or `undefined` when the album is not the user's.
 */
export async function removeMediaFromAlbum(
  db: Kysely<Database>,
  query: AlbumMediaChange,
): Promise<string[] | undefined> {
  const { albumId } = query;
  return inLockedAlbum(db, query, async (trx, ids) => {
    const removed = await trx
      .deleteFrom('album_media')
      .where('album_id', '=', albumId)
      .where((eb) => eb('media_id', '=', eb.fn.any(eb.val(ids))))
      .returning('media_id')
      .execute();
    if (removed.length > 0) {
      await trx
        .updateTable('albums')
        .set({ cover_media_id: null })
        .where('id', '=', albumId)
        .where((eb) => eb('cover_media_id', '=', eb.fn.any(eb.val(removed.map((row) => row.media_id)))))
        .execute();
      await touchAlbums(trx, [albumId], query.at);
    }
    return removed.map((row) => row.media_id);
  });
}

async function touchAlbums(trx: Transaction<Database>, albumIds: string[], at: Date | undefined) {
  await trx
    .updateTable('albums')
    .set({ updated_at: at ?? sql<Date>`now()` })
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(albumIds))))
    .execute();
}

/**
 * Puts one of the user's items into the albums named (the upload field `albums`), creating the
 * albums that do not exist yet. Names match existing albums in any case. Race-safe: the albums
 * are inserted with `on conflict do nothing` and then read back, so two uploads naming the same
 * new album at once end up in one album. An item already in an album stays as it was. Returns the
 * albums the item is now in among those named; none when the item is not the user's. The caller
 * trims and checks the names (1–200 characters).
 *
 * @example
 * await addMediaToAlbumsByName(db, { userId, mediaId, names: ['Holidays 2024', 'Family'] });
 */
export async function addMediaToAlbumsByName(
  db: Kysely<Database>,
  query: { userId: string; mediaId: string; names: readonly string[]; at?: Date },
): Promise<Array<{ id: string; name: string }>> {
  const { userId, mediaId } = query;
  const names = [...new Set(query.names)];
  if (!isUuid(userId) || !isUuid(mediaId) || names.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const media = await trx
      .selectFrom('media')
      .select('id')
      .where('id', '=', mediaId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!media) return [];
    const at = query.at ? sql`${query.at}::timestamptz` : sql`now()`;
    await sql`
      insert into albums (user_id, name, created_at, updated_at)
      select ${userId}::uuid, named.name, ${at}, ${at} from unnest(${names}::text[]) as named(name)
      on conflict do nothing`.execute(trx);
    const albums = await trx
      .selectFrom('albums')
      .select(['id', 'name'])
      .where('user_id', '=', userId)
      .where(
        sql<boolean>`lower(name) = any(select lower(named.value) from unnest(${names}::text[]) as named(value))`,
      )
      .orderBy('name')
      .forNoKeyUpdate()
      .execute();
    if (albums.length === 0) return [];
    const added = await trx
      .insertInto('album_media')
      .values(
        albums.map((album) => ({
          album_id: album.id,
          media_id: mediaId,
          ...(query.at ? { added_at: query.at } : {}),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning('album_id')
      .execute();
    if (added.length > 0)
      await touchAlbums(
        trx,
        added.map((row) => row.album_id),
        query.at,
      );
    return albums;
  });
}
