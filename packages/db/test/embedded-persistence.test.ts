import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createUser,
  embeddedDatabaseExists,
  findUserByUsername,
  migrateToLatest,
  openDatabase,
} from '../src/index.js';
import { migrations } from '../src/migrations/index.js';

const ALL_MIGRATIONS = Object.keys(migrations).sort();

describe('embedded PGlite on disk', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'iclood-db-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('keeps its data after close and reopen', async () => {
    const dir = join(parent, 'nested', 'db'); // does not exist yet: openDatabase creates it

    expect(await embeddedDatabaseExists(dir)).toBe(false);
    const first = await openDatabase({ embeddedDir: dir });
    expect(first.kind).toBe('embedded');
    expect(await migrateToLatest(first.db)).toEqual({ applied: ALL_MIGRATIONS });
    const created = await createUser(first.db, { username: 'persisted', passwordHash: 'h', role: 'owner' });
    await first.close();
    expect((await stat(join(dir, 'PG_VERSION'))).isFile()).toBe(true);
    expect(await embeddedDatabaseExists(dir)).toBe(true);

    const second = await openDatabase({ embeddedDir: dir });
    try {
      expect(await migrateToLatest(second.db)).toEqual({ applied: [] });
      const found = await findUserByUsername(second.db, 'PERSISTED');
      expect(found?.id).toBe(created.id);
      expect(found?.created_at.getTime()).toBe(created.created_at.getTime());
    } finally {
      await second.close();
    }
  });

  it('keeps nothing between in-memory instances', async () => {
    const first = await openDatabase({});
    await migrateToLatest(first.db);
    await createUser(first.db, { username: 'ephemeral', passwordHash: 'h', role: 'member' });
    await first.close();

    const second = await openDatabase({});
    try {
      expect(await migrateToLatest(second.db)).toEqual({ applied: ALL_MIGRATIONS });
      expect(await findUserByUsername(second.db, 'ephemeral')).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});
