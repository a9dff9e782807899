import { createHash, randomUUID } from 'node:crypto';

import {
  CompiledQuery,
  createQueryId,
  sql,
  type Compilable,
  type Insertable,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { expect } from 'vitest';

import {
  DbError,
  type Database,
  type Device,
  type DevicesTable,
  type Media,
  type MediaTable,
  type NewMedia,
  type User,
  type UsersTable,
} from '../src/index.js';
import { testDatabaseTargets } from '../src/testing.js';

/** Every database this run covers: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const targets = testDatabaseTargets(process.env.TEST_DATABASE_URL);

/** A valid, deterministic lowercase hex SHA-256 for a label. */
export function sha256Of(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

let counter = 0;
const unique = (prefix: string): string => `${prefix}${++counter}_${Math.random().toString(36).slice(2, 8)}`;

export async function insertUser(
  db: Kysely<Database>,
  values: Partial<Insertable<UsersTable>> = {},
): Promise<User> {
  const username = values.username ?? unique('user');
  return db
    .insertInto('users')
    .values({ username, library_folder: username, password_hash: 'hash', role: 'member', ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertDevice(
  db: Kysely<Database>,
  userId: string,
  values: Partial<Insertable<DevicesTable>> = {},
): Promise<Device> {
  return db
    .insertInto('devices')
    .values({
      user_id: userId,
      name: 'iPhone',
      platform: 'ios',
      scopes: ['media.upload', 'media.read'],
      token_id: randomUUID(),
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMedia(
  db: Kysely<Database>,
  userId: string,
  values: Partial<Insertable<MediaTable>> = {},
): Promise<Media> {
  const name = unique('IMG_');
  return db
    .insertInto('media')
    .values({
      user_id: userId,
      original_name: `${name}.HEIC`,
      rel_path: `${userId}/2024/03/${name}.HEIC`,
      sha256: sha256Of(name),
      size: 1234,
      media_type: 'photo',
      mime: 'image/heic',
      taken_at: new Date('2024-03-10T08:15:30.000Z'),
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A valid `NewMedia` for `insertMedia` with a fresh name, path and hash unless overridden. */
export function newMedia(userId: string, overrides: Partial<NewMedia> = {}): NewMedia {
  const name = unique('IMG_');
  return {
    userId,
    originalName: `${name}.HEIC`,
    relPath: `${userId}/2024/03/${name}.HEIC`,
    sha256: sha256Of(name),
    size: 1234,
    mediaType: 'photo',
    mime: 'image/heic',
    takenAt: new Date('2024-03-10T08:15:30.000Z'),
    ...overrides,
  };
}

/**
 * Resolves once another backend of this PostgreSQL database waits on a lock while running a
 * statement that contains `statementPart`: proof that a concurrent call really met the lock.
 * Polls from the pool, outside any transaction: a backend snapshots pg_stat_activity once per
 * transaction.
 */
export async function untilBlockedOnLock(db: Kysely<Database>, statementPart: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'
        and query like ${`%${statementPart}%`}`.execute(db);
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no statement containing ${statementPart} ever waited for a lock`);
}

/** The PostgreSQL error code and constraint name of a rejected promise. */
export async function pgErrorOf(promise: Promise<unknown>): Promise<{ code: string; constraint?: string }> {
  try {
    await promise;
  } catch (err) {
    const { code, constraint } = err as { code?: string; constraint?: string };
    if (typeof code !== 'string') throw err;
    return constraint === undefined ? { code } : { code, constraint };
  }
  throw new Error('expected the statement to be rejected');
}

/** The DbError a promise is rejected with; fails the test if it resolves or rejects with anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<DbError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  return err as DbError;
}

/** The plan PostgreSQL picks when sequential scans are priced out, as one string. */
export async function planWithoutSeqScan(
  db: Kysely<Database>,
  query: Compilable | CompiledQuery,
): Promise<string> {
  const compiled = 'compile' in query ? query.compile() : query;
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const result = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
    );
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/**
 * `db` with a recorder of every statement sent through it, compiled, so a test can count the
 * round trips a repository function makes and explain them.
 */
export function recordQueries(db: Kysely<Database>): { db: Kysely<Database>; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => {
      queries.push(db.getExecutor().compileQuery(args.node, createQueryId()));
      return args.node;
    },
    transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
  };
  return { db: db.withPlugin(recorder), queries };
}
