import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/index.js';
import { insertUser } from './helper.js';

describe('PGlite dialect', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({});
    await migrateToLatest(handle.db);
  });
  afterAll(() => handle.close());

  it('reports affected rows for insert, update and delete', async () => {
    const { db } = handle;
    const inserted = await db
      .insertInto('users')
      .values([
        { username: 'affected1', library_folder: 'affected1', password_hash: 'h', role: 'member' },
        { username: 'affected2', library_folder: 'affected2', password_hash: 'h', role: 'member' },
      ])
      .executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);

    const updated = await db
      .updateTable('users')
      .set({ display_name: 'x' })
      .where('username', 'like', 'affected%')
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);

    const deleted = await db
      .deleteFrom('users')
      .where('username', '=', 'affected1')
      .executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it('keeps a concurrent query out of an open transaction', async () => {
    const { db } = handle;
    const events: string[] = [];
    let outside: Promise<unknown> | undefined;

    await db
      .transaction()
      .execute(async (trx) => {
        await insertUser(trx, { username: 'rolled_back' });
        // Issued on the pool-less single connection while the transaction holds it: it must wait
        // for the rollback, not run inside the transaction and be rolled back with it.
        outside = insertUser(db, { username: 'outside' }).then(() => events.push('outside done'));
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push('transaction failing');
        throw new Error('abort');
      })
      .catch(() => undefined);
    await outside;

    expect(events).toEqual(['transaction failing', 'outside done']);
    const names = await db
      .selectFrom('users')
      .select('username')
      .where('username', 'in', ['rolled_back', 'outside'])
      .execute();
    expect(names).toEqual([{ username: 'outside' }]);
  });

  it('supports savepoints inside a transaction', async () => {
    const { db } = handle;
    const controlled = await db.startTransaction().execute();
    await insertUser(controlled, { username: 'before_savepoint' });
    const savepoint = await controlled.savepoint('sp1').execute();
    await insertUser(savepoint, { username: 'after_savepoint' });
    await savepoint.rollbackToSavepoint('sp1').execute();
    await controlled.commit().execute();

    const names = await db
      .selectFrom('users')
      .select('username')
      .where('username', 'in', ['before_savepoint', 'after_savepoint'])
      .orderBy('username')
      .execute();
    expect(names.map((row) => row.username)).toEqual(['before_savepoint']);
  });

  it('streams results in chunks', async () => {
    const chunks: number[][] = [];
    const query = sql<{ n: number }>`select generate_series(1, 5) as n`.compile(handle.db);
    const connection = handle.db.getExecutor();
    await connection.provideConnection(async (conn) => {
      for await (const chunk of conn.streamQuery<{ n: number }>(query, 2)) {
        chunks.push(chunk.rows.map((row) => row.n));
      }
    });
    expect(chunks).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('drops bound parameters from errors, so secrets in them cannot reach a log', async () => {
    const err = await sql`select ${'s3cret-token'}::int`.execute(handle.db).then(
      () => undefined,
      (e: unknown) => e as Record<string, unknown>,
    );
    expect(err?.code).toBe('22P02');
    expect(err).not.toHaveProperty('params');
  });
});
