import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { embeddedDatabaseExists, openDatabase, type Database } from '../src/index.js';
import { embeddedTemplateAvailable } from '../src/embedded-template.js';

// A first start copies the database made when the package was built instead of running PGlite's
// initdb (~600 MB more at its peak, DESIGN §7), and must stay as crash-safe as a normal start.
describe('a new embedded database comes from the built template', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'iclood-template-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  const systemIdentifier = async (db: Kysely<Database>) =>
    (await sql<{ id: string }>`select system_identifier::text as id from pg_control_system()`.execute(db))
      .rows[0]!.id;

  it('is built with the package', () => {
    expect(embeddedTemplateAvailable()).toBe(true);
  });

  it('gives every new database, on disk and in memory, the same origin (initdb would not)', async () => {
    const ids: string[] = [];
    for (const options of [{ embeddedDir: join(parent, 'a') }, { embeddedDir: join(parent, 'b') }, {}]) {
      const handle = await openDatabase(options);
      try {
        ids.push(await systemIdentifier(handle.db));
        await sql`create table written (n int)`.execute(handle.db);
        await sql`insert into written values (1)`.execute(handle.db);
      } finally {
        await handle.close();
      }
    }
    expect(new Set(ids).size).toBe(1);
    // Nothing of the copy is left beside the databases.
    expect((await readdir(parent)).sort()).toEqual(['a', 'b']);
    const reopened = await openDatabase({ embeddedDir: join(parent, 'a') });
    try {
      const { rows } = await sql<{ n: number }>`select n from written`.execute(reopened.db);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await reopened.close();
    }
  });

  it('starts over from a copy that a power cut interrupted', async () => {
    const dir = join(parent, 'interrupted');
    const staging = join(parent, '.interrupted.creating');
    await mkdir(join(staging, 'base'), { recursive: true });
    await writeFile(join(staging, 'PG_VERSION'), '18\n');
    expect(await embeddedDatabaseExists(dir)).toBe(false);
    const handle = await openDatabase({ embeddedDir: dir });
    try {
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
    expect(await readdir(parent)).not.toContain('.interrupted.creating');
    expect(await embeddedDatabaseExists(dir)).toBe(true);
  });

  it('uses an empty folder, and refuses one that holds other files', async () => {
    const empty = join(parent, 'empty');
    await mkdir(empty);
    const handle = await openDatabase({ embeddedDir: empty });
    await handle.close();
    expect(await embeddedDatabaseExists(empty)).toBe(true);

    const cluttered = join(parent, 'cluttered');
    await mkdir(cluttered);
    await writeFile(join(cluttered, 'notes.txt'), 'not a database');
    await expect(openDatabase({ embeddedDir: cluttered })).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      message: expect.stringMatching(/holds files but no database/),
    });
    expect(await readdir(cluttered)).toEqual(['notes.txt']);
  });
});
