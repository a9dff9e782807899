import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../src/index.js';
import { durableFsStats, durableStartParams, enableNodefsFsync } from '../src/pglite-durable-fs.js';

// PGlite ships with fsync off and a filesystem without fsync; iClood's embedded database must
// flush every commit like a normal PostgreSQL (DESIGN §6: nothing acknowledged is lost).
describe('embedded PGlite on disk is durable', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'iclood-durable-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('runs with fsync on, WAL flushed by fsync, and flushes once per commit', async () => {
    const handle = await openDatabase({ embeddedDir: join(parent, 'db') });
    try {
      const settings = await sql<{ name: string; setting: string }>`
        select name, setting from pg_settings
        where name in ('fsync', 'shared_buffers', 'synchronous_commit', 'wal_sync_method')
        order by name`.execute(handle.db);
      expect(settings.rows).toEqual([
        { name: 'fsync', setting: 'on' },
        // 8 kB pages: 16 MB, not the 128 MB of PGlite's initdb (DESIGN §7, memory that fits a Pi).
        { name: 'shared_buffers', setting: '2048' },
        { name: 'synchronous_commit', setting: 'on' },
        { name: 'wal_sync_method', setting: 'fsync' },
      ]);
      await sql`create table durable (n int)`.execute(handle.db);
      const before = durableFsStats.fsyncs;
      for (let n = 0; n < 20; n++) await sql`insert into durable values (${n})`.execute(handle.db);
      expect(durableFsStats.fsyncs - before).toBeGreaterThanOrEqual(20);

      // A read-only statement commits nothing and flushes nothing.
      const idle = durableFsStats.fsyncs;
      await sql`select count(*) from durable`.execute(handle.db);
      expect(durableFsStats.fsyncs).toBe(idle);

      // A checkpoint flushes the data files too.
      const beforeCheckpoint = durableFsStats.fsyncs;
      await sql`checkpoint`.execute(handle.db);
      expect(durableFsStats.fsyncs).toBeGreaterThan(beforeCheckpoint);
    } finally {
      await handle.close();
    }
  });

  it('keeps the in-memory database to the same shared buffers', async () => {
    const handle = await openDatabase({});
    try {
      const { rows } = await sql<{ setting: string }>`
        select setting from pg_settings where name = 'shared_buffers'`.execute(handle.db);
      expect(rows).toEqual([{ setting: '2048' }]);
    } finally {
      await handle.close();
    }
  });

  it("starts postgres without -F, keeping the rest of PGlite's flags", () => {
    const params = durableStartParams();
    expect(params).not.toContain('-F');
    expect(params).toContain('--single');
    expect(params.slice(-2)).toEqual(['-c', 'wal_sync_method=fsync']);
  });

  it('syncs a file through its descriptor and a folder by opening it', async () => {
    const file = join(parent, 'file');
    await writeFile(file, 'x');
    const realPaths: unknown[] = [];
    const nodefs = {
      stream_ops: {} as { fsync?: (stream: { nfd?: number; node: unknown }) => number | undefined },
      realPath: (node: unknown) => {
        realPaths.push(node);
        return parent;
      },
    };
    expect(enableNodefsFsync(nodefs)).toBe(true);
    const fd = openSync(file, 'r+');
    try {
      const before = durableFsStats.fsyncs;
      expect(nodefs.stream_ops.fsync!({ nfd: fd, node: 'file-node' })).toBe(0);
      expect(nodefs.stream_ops.fsync!({ node: 'folder-node' })).toBe(0);
      expect(durableFsStats.fsyncs - before).toBe(2);
      expect(realPaths).toEqual(['folder-node']);
    } finally {
      closeSync(fd);
    }
    // A bad descriptor is an error for postgres to see, not a silent success.
    expect(() => nodefs.stream_ops.fsync!({ nfd: 987_654, node: 'gone' })).toThrow(/EBADF/);
  });

  it('refuses a NODEFS that does not look like the one it was written for', () => {
    expect(enableNodefsFsync({})).toBe(false);
    expect(enableNodefsFsync({ stream_ops: {} })).toBe(false);
  });
});
