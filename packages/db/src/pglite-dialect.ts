import type { PGliteInterface } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

export interface PGliteDialectConfig {
  /** A ready PGlite instance (from `await PGlite.create(...)`). The dialect closes it on destroy. */
  pglite: PGliteInterface;
}

// Kept by hand: the Kysely in the catalog (0.28) has no PGlite dialect of its own (a later Kysely
// adds one: move to it with that upgrade), and this one's hold on the single session from `begin`
// to `commit` is what test/pglite-dialect.test.ts and the concurrent-upload tests rely on.
/**
 * Kysely dialect for PGlite, PostgreSQL compiled to WebAssembly and run in-process.
 *
 * PGlite is one session, so the driver hands out a single connection guarded by a mutex: a
 * query waits for the one before it, and a transaction holds the connection from `begin` to
 * `commit`/`rollback`, so no other query can slip into it.
 *
 * @example
 * const pglite = await PGlite.create('./data/db');
 * const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
 */
export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config.pglite);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGliteInterface;
  readonly #connection: PGliteConnection;
  readonly #mutex = new Mutex();
  #destroyed = false;

  constructor(pglite: PGliteInterface) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (this.#destroyed) {
      this.#mutex.unlock();
      throw new Error('driver has already been destroyed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(savepointName)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(
      CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(savepointName)}`),
    );
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(savepointName)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    // Let the query or transaction in flight finish; closing under it would corrupt its result.
    await this.#mutex.lock();
    try {
      this.#destroyed = true;
      if (!this.#pglite.closed) await this.#pglite.close();
    } finally {
      this.#mutex.unlock();
    }
  }
}

const COMMANDS_WITH_AFFECTED_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGliteInterface;

  constructor(pglite: PGliteInterface) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
        rowMode: 'object',
      });
      const command = result.command ?? '';
      return {
        rows: result.rows,
        numAffectedRows: COMMANDS_WITH_AFFECTED_ROWS.has(command)
          ? BigInt(result.affectedRows ?? 0)
          : undefined,
      };
    } catch (err) {
      throw withoutParameters(err);
    }
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new Error('chunkSize must be a positive integer');
    }
    // PGlite has no cursors over its JS API; the whole result is already in memory.
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let start = 0; start < rows.length; start += chunkSize) {
      yield { rows: rows.slice(start, start + chunkSize) };
    }
  }
}

// PGlite attaches the bound parameters to its errors; pg does not. Parameters can be password
// hashes or token ids, and errors end up in logs, so they are dropped here.
function withoutParameters(err: unknown): unknown {
  if (typeof err === 'object' && err !== null) {
    for (const key of ['params', 'queryOptions']) {
      if (key in err) Reflect.deleteProperty(err, key);
    }
  }
  return err;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** FIFO lock: `lock()` resolves when the previous holder calls `unlock()`. */
class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) {
      next(); // ownership passes straight to the next waiter
    } else {
      this.#locked = false;
    }
  }
}
