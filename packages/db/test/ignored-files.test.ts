import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  addIgnoredFiles,
  deleteIgnoredFile,
  listIgnoredFiles,
  type Database,
  type IgnoredFile,
  type IgnoredFilesCursor,
  type Kysely,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertUser, planWithoutSeqScan, recordQueries, sha256Of } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

async function entriesOf(db: Kysely<Database>, userId: string): Promise<IgnoredFile[]> {
  return db.selectFrom('ignored_files').selectAll().where('user_id', '=', userId).orderBy('name').execute();
}

describe.each(databasesWithAliceAndBob)('the ignore list on $label', ({ it }) => {
  it('adds entries with the device that asked and returns them in input order', async ({ db }) => {
    const user = await insertUser(db);
    const device = await insertDevice(db, user.id);
    const added = await addIgnoredFiles(db, {
      userId: user.id,
      deviceId: device.id,
      now: T0,
      items: [
        { name: 'b.png', sha256: sha256Of('b') },
        { name: 'a.png', originalPath: 'DCIM/100APPLE/a.png', localId: 'LOCAL-A' },
        { name: 'c.png' },
      ],
    });

    expect(added.map((entry) => entry.name)).toEqual(['b.png', 'a.png', 'c.png']);
    expect(added[0]).toMatchObject({
      user_id: user.id,
      device_id: device.id,
      name: 'b.png',
      original_path: null,
      sha256: sha256Of('b'),
      local_id: null,
      created_at: T0,
    });
    expect(added[1]).toMatchObject({
      original_path: 'DCIM/100APPLE/a.png',
      local_id: 'LOCAL-A',
      sha256: null,
    });
    expect(await entriesOf(db, user.id)).toEqual([...added].sort((x, y) => x.name.localeCompare(y.name)));
    expect(await addIgnoredFiles(db, { userId: user.id, items: [] })).toEqual([]);
  });

  it('adds nothing for an entry it already has, null-safely, and answers the same on a retry', async ({
    db,
    bob,
  }) => {
    const user = await insertUser(db);
    const items = [
      { name: 'x.png' },
      { name: 'x.png', originalPath: 'DCIM/x.png' },
      { name: 'x.png', sha256: sha256Of('x') },
      { name: 'x.png', localId: 'LOCAL-X' },
      { name: 'x.png', originalPath: 'DCIM/x.png', sha256: sha256Of('x'), localId: 'LOCAL-X' },
      { name: 'x.png' }, // the first one again, in the same batch
    ];
    const first = await addIgnoredFiles(db, { userId: user.id, items, now: T0 });
    expect(first).toHaveLength(5);
    expect(new Set(first.map((entry) => entry.id)).size).toBe(5);

    const retry = await addIgnoredFiles(db, { userId: user.id, items, now: at(1000) });
    expect(retry).toEqual(first);
    expect(await entriesOf(db, user.id)).toHaveLength(5);

    // Another user's identical entries are theirs alone.
    const ofBob = await addIgnoredFiles(db, { userId: bob.id, items: [{ name: 'x.png' }] });
    expect(ofBob[0]?.id).not.toBe(first[0]?.id);
  });

  it('adds an entry once when the same request runs several times at once', async ({ db }) => {
    const user = await insertUser(db);
    const items = Array.from({ length: 200 }, (_, i) => ({ name: `IMG_${i}.PNG`, localId: `LOCAL-${i}` }));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => addIgnoredFiles(db, { userId: user.id, items })),
    );

    expect(await entriesOf(db, user.id)).toHaveLength(200);
    for (const result of results) expect(result).toEqual(results[0]);
  });

  it('joins a caller’s transaction', async ({ db }) => {
    const user = await insertUser(db);
    await db
      .transaction()
      .execute(async (trx) => {
        await addIgnoredFiles(trx, { userId: user.id, items: [{ name: 'rolled-back.png' }] });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await entriesOf(db, user.id)).toEqual([]);
  });

  it('lists entries newest first, a page at a time, each exactly once', async ({ db, bob }) => {
    const user = await insertUser(db);
    // Three batches; entries of one batch share a timestamp, so pages must split ties by id.
    for (const [batch, when] of [T0, at(1), at(2)].entries()) {
      await addIgnoredFiles(db, {
        userId: user.id,
        now: when,
        items: Array.from({ length: 4 }, (_, i) => ({ name: `batch${batch}-${i}.png` })),
      });
    }
    await addIgnoredFiles(db, { userId: bob.id, items: [{ name: 'bob.png' }], now: at(3) });

    const seen: IgnoredFile[] = [];
    let cursor: IgnoredFilesCursor | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listIgnoredFiles(db, { userId: user.id, limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }

    expect(seen).toHaveLength(12);
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(12);
    const order = seen.map((entry) => [entry.created_at.getTime(), entry.id] as const);
    const sorted = [...order].sort((x, y) => y[0] - x[0] || (y[1] < x[1] ? -1 : y[1] > x[1] ? 1 : 0));
    expect(order).toEqual(sorted);
    expect(seen[0]!.created_at).toEqual(at(2));
    expect(seen.every((entry) => entry.user_id === user.id)).toBe(true);
  });

  it('stamps entries at millisecond precision when no time is given, so cursors are exact', async ({
    db,
  }) => {
    const user = await insertUser(db);
    for (let i = 0; i < 3; i++) await addIgnoredFiles(db, { userId: user.id, items: [{ name: `${i}.png` }] });
    const { rows } = await sql<{ sub_ms: number }>`
      select count(*)::int as sub_ms from ignored_files
      where user_id = ${user.id} and created_at <> date_trunc('milliseconds', created_at)`.execute(db);
    expect(rows[0]?.sub_ms).toBe(0);

    const first = await listIgnoredFiles(db, { userId: user.id, limit: 1 });
    const rest = await listIgnoredFiles(db, { userId: user.id, limit: 5, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((entry) => entry.name).sort()).toEqual([
      '0.png',
      '1.png',
      '2.png',
    ]);
    expect(rest.nextCursor).toBeNull();
  });

  it('ends the list for a malformed user id or cursor, and refuses a limit below one', async ({
    db,
    bob,
  }) => {
    const empty = { items: [], nextCursor: null };
    expect(await listIgnoredFiles(db, { userId: 'nope', limit: 10 })).toEqual(empty);
    expect(
      await listIgnoredFiles(db, { userId: bob.id, limit: 10, cursor: { createdAt: T0, id: 'nope' } }),
    ).toEqual(empty);
    expect(
      await listIgnoredFiles(db, {
        userId: bob.id,
        limit: 10,
        cursor: { createdAt: new Date(NaN), id: randomUUID() },
      }),
    ).toEqual(empty);
    await expect(listIgnoredFiles(db, { userId: bob.id, limit: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('pages from the ignored_files_user_created_idx index', async ({ db, bob }) => {
    const recorded = recordQueries(db);
    await listIgnoredFiles(recorded.db, {
      userId: bob.id,
      limit: 10,
      cursor: { createdAt: T0, id: randomUUID() },
    });
    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toContain('Index Scan using ignored_files_user_created_idx');
    expect(plan).not.toMatch(/\bSort\b/);
  });

  it('deletes the user’s own entry once, and never another user’s', async ({ db, bob }) => {
    const user = await insertUser(db);
    const [entry] = await addIgnoredFiles(db, { userId: user.id, items: [{ name: 'gone.png' }] });

    expect(await deleteIgnoredFile(db, { id: entry!.id, userId: bob.id })).toBe(false);
    expect(await deleteIgnoredFile(db, { id: 'not-a-uuid', userId: user.id })).toBe(false);
    expect(await deleteIgnoredFile(db, { id: entry!.id, userId: 'not-a-uuid' })).toBe(false);
    expect(await entriesOf(db, user.id)).toHaveLength(1);

    expect(await deleteIgnoredFile(db, { id: entry!.id, userId: user.id })).toBe(true);
    expect(await deleteIgnoredFile(db, { id: entry!.id, userId: user.id })).toBe(false);
    expect(await entriesOf(db, user.id)).toEqual([]);
  });
});
