import { sql, type Insertable, type Kysely } from 'kysely';

import { DbError, isUniqueViolation } from './errors.js';
import { THUMBNAIL_JOB_KIND } from './jobs.repository.js';
import type { Database, JsonObject, Media, MediaTable, MediaType } from './schema.js';
import { isUuid } from './uuid.js';

/** A stored original to record. Optional columns left out are stored as null. */
export interface NewMedia {
  userId: string;
  deviceId?: string | null;
  sessionId?: string | null;
  originalName: string;
  /** The name shown instead of `originalName`; default none. */
  displayName?: string | null;
  /** Where the file now is, relative to the library root, `/`-separated. */
  relPath: string;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  mediaType: MediaType;
  mime: string;
  takenAt: Date;
  takenAtOffsetMinutes?: number | null;
  width?: number | null;
  height?: number | null;
  durationMs?: number | null;
  latitude?: number | null;
  longitude?: number | null;
  cameraMake?: string | null;
  cameraModel?: string | null;
  orientation?: number | null;
  metadata?: JsonObject;
  localId?: string | null;
  originalPath?: string | null;
  modifiedAt?: Date | null;
  /** Default: the database clock. */
  uploadedAt?: Date;
}

/** `created`: this call stored the row. `duplicate`: the user already had these bytes; `media` is that row. */
export type InsertMediaResult = { status: 'created'; media: Media } | { status: 'duplicate'; media: Media };

/** One file a client asks about before uploading; the caller validates (≤ 10,000 items, hex hashes). */
export interface MediaCheckItem {
  /** The client's own name for the item, echoed back. */
  key: string;
  /** Lowercase hex, like the stored hashes. */
  sha256?: string;
  localId?: string;
  name?: string;
  size?: number;
  createdAt?: Date;
}

export type MediaCheckState = 'new' | 'duplicate' | 'ignored';

export interface MediaCheckResult {
  key: string;
  state: MediaCheckState;
  /** The stored item, for `duplicate`. */
  mediaId?: string;
  /** Whether that stored item is in the trash, for `duplicate`. */
  trashed?: boolean;
}

const INSERT_ATTEMPTS = 3;

/**
 * Records a stored original, once per user and content. When the user already has a row with
 * this `sha256` (in the trash or not), nothing is written and that row comes back as a
 * `duplicate`, under whatever name it was first stored. A created row gets its
 * `thumbnail.generate` job (due at `uploaded_at`) in the same statement; a duplicate queues nothing.
 *
 * Race-safe: the `media_user_sha256_key` unique constraint is the arbiter of
 * `insert … on conflict on constraint media_user_sha256_key do nothing`, so of many concurrent
 * inserts of the same bytes exactly one creates the row; the others wait for it to commit and
 * then read it. No error is raised for a duplicate, so this is also safe inside a caller's
 * transaction, which stays usable afterwards (no savepoint needed). Any other conflict still
 * fails: a `rel_path` already recorded throws `DbError` `MEDIA_PATH_TAKEN`.
 *
 * @example
 * const { status, media } = await insertMedia(db, { userId, relPath, sha256, size, … });
 * if (status === 'duplicate') await removePlacedFile(relPath); // keep the original copy only
 */
export async function insertMedia(db: Kysely<Database>, newMedia: NewMedia): Promise<InsertMediaResult> {
  const row = toMediaRow(newMedia);
  // A conflicting row can vanish between the insert and the read (purged from the trash at that
  // instant); the next attempt then creates the row.
  for (let attempt = 1; attempt <= INSERT_ATTEMPTS; attempt++) {
    let created: Media | undefined;
    try {
      // One statement, so one round trip on the upload path: the row and its thumbnail job
      // commit together (a data-modifying CTE), and a duplicate inserts neither.
      created = await db
        .with('inserted', (qb) =>
          qb
            .insertInto('media')
            .values(row)
            .onConflict((oc) => oc.constraint('media_user_sha256_key').doNothing())
            .returningAll(),
        )
        .with('queued', (qb) =>
          qb
            .insertInto('jobs')
            .columns(['kind', 'media_id', 'run_at', 'created_at', 'updated_at'])
            .expression((eb) =>
              eb
                .selectFrom('inserted')
                .select([
                  sql.lit(THUMBNAIL_JOB_KIND).as('kind'),
                  'inserted.id',
                  'inserted.uploaded_at',
                  'inserted.uploaded_at as created_at',
                  'inserted.uploaded_at as updated_at',
                ]),
            )
            // The partial unique index is only inferred when its predicate is repeated here.
            .onConflict((oc) =>
              oc.columns(['kind', 'media_id']).where('media_id', 'is not', null).doNothing(),
            )
            .returning('jobs.id'),
        )
        .selectFrom('inserted')
        .selectAll()
        .executeTakeFirst();
    } catch (err) {
      if (isUniqueViolation(err, 'media_rel_path_key')) {
        throw new DbError('MEDIA_PATH_TAKEN', `A media row already records ${newMedia.relPath}`, {
          cause: err,
        });
      }
      throw err;
    }
    if (created) return { status: 'created', media: created };
    const existing = await findMediaBySha256(db, newMedia);
    if (existing) return { status: 'duplicate', media: existing };
  }
  throw new Error(`insertMedia: the row holding ${newMedia.sha256} kept disappearing`);
}

/** The user's item with these bytes, trashed or not. */
export async function findMediaBySha256(
  db: Kysely<Database>,
  query: { userId: string; sha256: string },
): Promise<Media | undefined> {
  if (!isUuid(query.userId)) return undefined;
  return db
    .selectFrom('media')
    .selectAll()
    .where('user_id', '=', query.userId)
    .where('sha256', '=', query.sha256)
    .executeTakeFirst();
}

/**
 * Which of `relPaths` a media row records, in one query on the `rel_path` unique index. For the
 * start-up sweep, which reconciles library files that have no row; call it per batch of paths.
 */
export async function recordedRelPaths(
  db: Kysely<Database>,
  relPaths: readonly string[],
): Promise<Set<string>> {
  if (relPaths.length === 0) return new Set();
  const rows = await db
    .selectFrom('media')
    .select('rel_path')
    .where((eb) => eb('rel_path', '=', eb.fn.any(eb.val([...relPaths]))))
    .execute();
  return new Set(rows.map((row) => row.rel_path));
}

/**
 * Tells a client which of its files the server already has, in one set-based query whatever the
 * number of items: each field travels as one array parameter and is `unnest`ed with ordinality,
 * and every lookup is an index probe. Results come back in input order.
 *
 * Per item, the first rule that applies decides:
 * 1. `sha256` given: `duplicate` if the user has an item with these bytes, else not a duplicate.
 *    The hash is exact, so a different hash is never overruled by the weaker rules below (an
 *    edited photo keeps its local id but is new content).
 * 2. `localId` given: `duplicate` if an item of the user was uploaded with that local id.
 * 3. `name` and `size` given (Shortcuts cannot hash cheaply): `duplicate` if an item of the user
 *    has that original name and size and, when `createdAt` is given, was taken within 36 hours of
 *    it (slack for time zones and for capture vs. creation dates).
 *
 * Trashed items count: a duplicate in the trash is reported with `trashed: true`. An item that is
 * not a duplicate is `ignored` when the user's ignore list names it by sha256, by local id, or by
 * name, where only ignore entries that carry nothing but a name match by name (an entry with a
 * path, hash or local id is more specific than anything a check item can be compared with), and
 * `new` otherwise.
 *
 * @example
 * const results = await checkMedia(db, { userId, items: [{ key: 'a', sha256 }, { key: 'b', name: 'IMG_0001.HEIC', size: 2_345_678 }] });
 */
export async function checkMedia(
  db: Kysely<Database>,
  query: { userId: string; items: readonly MediaCheckItem[] },
): Promise<MediaCheckResult[]> {
  const { userId, items } = query;
  if (items.length === 0) return [];
  if (!isUuid(userId)) return items.map((item) => ({ key: item.key, state: 'new' }));

  const keys = items.map((item) => item.key);
  const hashes = items.map((item) => item.sha256 ?? null);
  const localIds = items.map((item) => item.localId ?? null);
  const names = items.map((item) => item.name ?? null);
  const sizes = items.map((item) => item.size ?? null);
  const createdAts = items.map((item) => item.createdAt ?? null);

  // Every lookup is a LIMIT 1 lateral, so each is an index probe per item (never a hash of the
  // user's whole library or ignore list), and each runs only when the rules before it did not
  // decide: its gating conditions on the outer row are checked before the probe.
  const { rows } = await sql<{
    key: string;
    state: MediaCheckState;
    media_id: string | null;
    trashed: boolean | null;
  }>`
    select
      item.key,
      case
        when found.id is not null then 'duplicate'
        when ignored.hit then 'ignored'
        else 'new'
      end as state,
      found.id as media_id,
      found.trashed
    from unnest(
        ${keys}::text[], ${hashes}::text[], ${localIds}::text[],
        ${names}::text[], ${sizes}::bigint[], ${createdAts}::timestamptz[]
      ) with ordinality as item(key, sha256, local_id, name, size, created_at, ord)
    left join lateral (
      select m.id, m.trashed_at is not null as trashed from media m
      where item.sha256 is not null and m.user_id = ${userId} and m.sha256 = item.sha256
      limit 1
    ) by_hash on true
    left join lateral (
      select m.id, m.trashed_at is not null as trashed from media m
      where item.sha256 is null and item.local_id is not null
        and m.user_id = ${userId} and m.local_id = item.local_id
      order by m.trashed_at is not null, m.uploaded_at desc, m.id
      limit 1
    ) by_local_id on true
    left join lateral (
      select m.id, m.trashed_at is not null as trashed from media m
      where item.sha256 is null and by_local_id.id is null
        and item.name is not null and item.size is not null
        and m.user_id = ${userId} and m.original_name = item.name and m.size = item.size
        and (item.created_at is null
          or m.taken_at between item.created_at - interval '36 hours' and item.created_at + interval '36 hours')
      order by m.trashed_at is not null, m.uploaded_at desc, m.id
      limit 1
    ) by_name on true
    cross join lateral (
      select coalesce(by_hash.id, by_local_id.id, by_name.id) as id,
        coalesce(by_hash.trashed, by_local_id.trashed, by_name.trashed) as trashed
    ) found
    left join lateral (
      select true as hit from (
        (select 1 from ignored_files f
          where found.id is null and item.sha256 is not null
            and f.user_id = ${userId} and f.sha256 = item.sha256
          limit 1)
        union all
        (select 1 from ignored_files f
          where found.id is null and item.local_id is not null
            and f.user_id = ${userId} and f.local_id = item.local_id
          limit 1)
        union all
        (select 1 from ignored_files f
          where found.id is null and item.name is not null
            and f.user_id = ${userId} and f.name = item.name
            and f.sha256 is null and f.local_id is null and f.original_path is null
          limit 1)
      ) hits
      limit 1
    ) ignored on true
    order by item.ord`.execute(db);

  return rows.map((row) =>
    row.state === 'duplicate' && row.media_id !== null
      ? { key: row.key, state: row.state, mediaId: row.media_id, trashed: row.trashed === true }
      : { key: row.key, state: row.state },
  );
}

function toMediaRow(input: NewMedia): Insertable<MediaTable> {
  return {
    user_id: input.userId,
    device_id: input.deviceId ?? null,
    session_id: input.sessionId ?? null,
    original_name: input.originalName,
    display_name: input.displayName ?? null,
    rel_path: input.relPath,
    sha256: input.sha256,
    size: input.size,
    media_type: input.mediaType,
    mime: input.mime,
    taken_at: input.takenAt,
    taken_at_offset_minutes: input.takenAtOffsetMinutes ?? null,
    width: input.width ?? null,
    height: input.height ?? null,
    duration_ms: input.durationMs ?? null,
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    camera_make: input.cameraMake ?? null,
    camera_model: input.cameraModel ?? null,
    orientation: input.orientation ?? null,
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
    local_id: input.localId ?? null,
    original_path: input.originalPath ?? null,
    modified_at: input.modifiedAt ?? null,
    ...(input.uploadedAt === undefined ? {} : { uploaded_at: input.uploadedAt }),
  };
}
