import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

import {
  createEmbeddedFromTemplate,
  EMBEDDED_TEMPLATE,
  embeddedTemplateAvailable,
} from './embedded-template.js';
import { DbError } from './errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import { DurableNodeFS, durableStartParams, embeddedStartParams } from './pglite-durable-fs.js';
import type { Database } from './schema.js';

export interface OpenDatabaseOptions {
  /** `postgres://…` connection string. Unset or empty → embedded PGlite. */
  url?: string;
  /** Where embedded PGlite keeps its files (created if missing). Unset → in memory. */
  embeddedDir?: string;
  /** PostgreSQL pool size. Default 10. */
  poolMax?: number;
  /** Give up connecting to PostgreSQL after this long. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, say). The pool drops the
   * connection and the next query opens a new one; without a listener such an error would crash
   * the process.
   */
  onPoolError?: (err: Error) => void;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'embedded' | 'postgres';
  /** Ends the pool or closes PGlite. Call once, after the last query. */
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// int8 (sizes, byte counts, count(*)) and numeric (sum() of int8) come back as JS numbers on both
// drivers: library sizes stay far below 2^53, and callers should not have to juggle strings.
// The schema has no numeric columns, so nothing that needs arbitrary precision is affected.
const toNumber = (value: string): number => Number(value);

/**
 * Opens the database: PostgreSQL when `url` is set, otherwise embedded PGlite, and checks that it
 * answers. Throws `DbError('DATABASE_UNAVAILABLE')` when it cannot be reached; the message names
 * the host but never the password.
 *
 * @example
 * const { db, close } = await openDatabase({ url: config.databaseUrl, embeddedDir: `${dataDir}/db` });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options) : openEmbedded(options.embeddedDir);
}

/**
 * Whether `embeddedDir` already holds an embedded database. Without one, `openDatabase` creates it,
 * copying the template this package is built with (embedded-template.ts) into place.
 *
 * @example
 * if (!(await embeddedDatabaseExists(dbDir))) log.info('creating the embedded database');
 */
export async function embeddedDatabaseExists(embeddedDir: string): Promise<boolean> {
  // The file PGlite itself looks for to decide between resuming and initdb.
  return access(join(embeddedDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

async function openEmbedded(embeddedDir: string | undefined): Promise<DatabaseHandle> {
  let pglite: PGlite;
  try {
    if (embeddedDir !== undefined) {
      await mkdir(dirname(embeddedDir), { recursive: true });
      // Copied from the template, not made by PGlite's initdb: see embedded-template.ts.
      if (!(await embeddedDatabaseExists(embeddedDir)) && embeddedTemplateAvailable()) {
        await createEmbeddedFromTemplate(embeddedDir);
      }
      await mkdir(embeddedDir, { recursive: true });
    }
    const inMemoryTemplate =
      embeddedDir === undefined && embeddedTemplateAvailable()
        ? { loadDataDir: new Blob([await readFile(EMBEDDED_TEMPLATE)]) }
        : {};
    pglite = await PGlite.create({
      ...inMemoryTemplate,
      // On disk: flushed at every commit and checkpoint like a normal PostgreSQL (PGlite's own
      // default is fsync off; see pglite-durable-fs.ts). In memory there is nothing to flush.
      ...(embeddedDir === undefined
        ? { startParams: embeddedStartParams() }
        : { fs: new DurableNodeFS(embeddedDir), startParams: durableStartParams() }),
      parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber },
      // Trigram indexes serve the substring search of media/list (migration 0004).
      extensions: { pg_trgm },
    });
  } catch (err) {
    const where = embeddedDir === undefined ? 'in memory' : `in ${embeddedDir}`;
    const message = `Cannot open the embedded database ${where}: ${describe(err)}`;
    throw new DbError('DATABASE_UNAVAILABLE', message, { cause: err });
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  const close = async (): Promise<void> => {
    await db.destroy();
    // Kysely only destroys a driver it has initialized, i.e. after a first query.
    if (!pglite.closed) await pglite.close();
  };
  return { db, kind: 'embedded', close };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const parsed = parsePostgresUrl(url);
  const redact = (text: string): string => redactSecret(text, parsed.password);

  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // The app's queries are short; JIT compiling them costs more than it saves (bench/library:
    // media/check of 10,000 items at 1M rows, median 316–500 ms with JIT, 243–269 ms without).
    options: '-c jit=off',
    // Per pool, not pg.types.setTypeParser: other pg users in the process keep their defaults.
    types: {
      getTypeParser: (oid, format) =>
        oid === INT8_OID || oid === NUMERIC_OID ? toNumber : pg.types.getTypeParser(oid, format),
    },
  });
  const onPoolError = options.onPoolError;
  pool.on('error', (err) => onPoolError?.(err));

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    const message = redact(`Cannot connect to PostgreSQL at ${parsed.display}: ${describe(err)}`);
    // The driver error is not kept as `cause`: some carry the connection parameters.
    throw new DbError('DATABASE_UNAVAILABLE', message);
  }
  return { db, kind: 'postgres', close: () => db.destroy() };
}

interface ParsedPostgresUrl {
  /** The URL with its password replaced, for messages. */
  display: string;
  password: string;
}

function parsePostgresUrl(url: string): ParsedPostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Do not echo the input: it is a secret that failed to parse.
    throw new DbError('DATABASE_UNAVAILABLE', 'The database URL is not a valid URL (expected postgres://…)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DbError(
      'DATABASE_UNAVAILABLE',
      `The database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`,
    );
  }
  const password = decodeURIComponent(parsed.password);
  if (parsed.password !== '') parsed.password = '***';
  parsed.search = ''; // query parameters may hold sslpassword, sslkey paths and the like
  return { display: parsed.toString(), password };
}

function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  return text.replaceAll(secret, '***').replaceAll(encodeURIComponent(secret), '***');
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
