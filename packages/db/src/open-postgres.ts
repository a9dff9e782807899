import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

import { describe, INT8_OID, NUMERIC_OID, toNumber } from './driver-shared.js';
import { DbError } from './errors.js';
import type { DatabaseHandle, OpenDatabaseOptions } from './open-database.js';
import type { Database } from './schema.js';

/** PostgreSQL at `url`; loaded only by a server that runs it. */
export async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
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
