import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import { checkMedia, type Database, type Kysely, type Media, type MediaCheckItem } from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, planWithoutSeqScan, recordQueries, sha256Of } from './helper.js';

const TAKEN = new Date('2024-03-10T08:15:30.000Z');
const hoursFromTaken = (hours: number): Date => new Date(TAKEN.getTime() + hours * 3_600_000);

describe.each(databasesWithAliceAndBob)('checking media before upload on $label', ({ it }) => {
  let kept: Media;
  let trashed: Media;
  let byNameOnly: Media;
  let ofBob: Media;

  it.beforeAll(async ({ db, alice, bob }) => {
    kept = await insertMedia(db, alice.id, {
      sha256: sha256Of('kept'),
      local_id: 'LOCAL-KEPT',
      original_name: 'IMG_0001.HEIC',
      size: 1000,
      taken_at: TAKEN,
    });
    trashed = await insertMedia(db, alice.id, {
      sha256: sha256Of('trashed'),
      local_id: 'LOCAL-TRASHED',
      original_name: 'IMG_0002.HEIC',
      size: 2000,
      taken_at: TAKEN,
      trashed_at: new Date('2030-01-01T00:00:00Z'),
    });
    byNameOnly = await insertMedia(db, alice.id, {
      sha256: sha256Of('shortcut upload'),
      original_name: 'IMG_0003.JPG',
      size: 3000,
      taken_at: TAKEN,
    });
    ofBob = await insertMedia(db, bob.id, {
      sha256: sha256Of('bob'),
      local_id: 'LOCAL-BOB',
      original_name: 'IMG_0004.HEIC',
      size: 4000,
      taken_at: TAKEN,
    });

    await db
      .insertInto('ignored_files')
      .values([
        { user_id: alice.id, name: 'hashed.heic', sha256: sha256Of('ignored by hash') },
        { user_id: alice.id, name: 'local.heic', local_id: 'LOCAL-IGNORED' },
        { user_id: alice.id, name: 'SCREENSHOT.PNG' },
        { user_id: alice.id, name: 'PATHED.PNG', original_path: 'DCIM/100APPLE/PATHED.PNG' },
        { user_id: alice.id, name: 'kept-but-ignored.heic', sha256: sha256Of('kept') },
        { user_id: bob.id, name: 'BOB.PNG', sha256: sha256Of('ignored by bob') },
        { user_id: bob.id, name: 'BOB-ONLY.PNG' },
      ])
      .execute();
  });

  const check = (db: Kysely<Database>, userId: string, items: MediaCheckItem[]) =>
    checkMedia(db, { userId, items });

  it('finds duplicates by sha256, in the trash too, and only among the user’s own items', async ({
    db,
    alice,
  }) => {
    expect(
      await check(db, alice.id, [
        { key: 'kept', sha256: kept.sha256 },
        { key: 'trashed', sha256: trashed.sha256 },
        { key: 'unknown', sha256: sha256Of('never uploaded') },
        { key: 'bob’s', sha256: ofBob.sha256 },
      ]),
    ).toEqual([
      { key: 'kept', state: 'duplicate', mediaId: kept.id, trashed: false },
      { key: 'trashed', state: 'duplicate', mediaId: trashed.id, trashed: true },
      { key: 'unknown', state: 'new' },
      { key: 'bob’s', state: 'new' },
    ]);
  });

  it('lets a given sha256 decide alone: other bytes under a known local id or name are new', async ({
    db,
    alice,
  }) => {
    expect(
      await check(db, alice.id, [
        {
          key: 'edited',
          sha256: sha256Of('edited'),
          localId: kept.local_id!,
          name: kept.original_name,
          size: 1000,
        },
      ]),
    ).toEqual([{ key: 'edited', state: 'new' }]);
  });

  it('finds duplicates by the device’s local id', async ({ db, alice }) => {
    expect(
      await check(db, alice.id, [
        { key: 'kept', localId: 'LOCAL-KEPT' },
        { key: 'trashed', localId: 'LOCAL-TRASHED' },
        { key: 'unknown', localId: 'LOCAL-UNKNOWN' },
        { key: 'bob’s', localId: 'LOCAL-BOB' },
      ]),
    ).toEqual([
      { key: 'kept', state: 'duplicate', mediaId: kept.id, trashed: false },
      { key: 'trashed', state: 'duplicate', mediaId: trashed.id, trashed: true },
      { key: 'unknown', state: 'new' },
      { key: 'bob’s', state: 'new' },
    ]);
  });

  it('finds Shortcuts’ duplicates by name and size, within 36 hours of createdAt when given', async ({
    db,
    alice,
  }) => {
    const name = byNameOnly.original_name;
    expect(
      await check(db, alice.id, [
        { key: 'no date', name, size: 3000 },
        { key: 'same instant', name, size: 3000, createdAt: TAKEN },
        { key: 'a day later', name, size: 3000, createdAt: hoursFromTaken(24) },
        { key: '35 h earlier', name, size: 3000, createdAt: hoursFromTaken(-35) },
        { key: '37 h later', name, size: 3000, createdAt: hoursFromTaken(37) },
        { key: 'other size', name, size: 3001 },
        { key: 'other case', name: name.toLowerCase(), size: 3000 },
        { key: 'name only', name },
        { key: 'size only', size: 3000 },
        { key: 'bob’s', name: ofBob.original_name, size: 4000 },
        { key: 'unknown local id, known name', localId: 'LOCAL-REINSTALLED', name, size: 3000 },
      ]),
    ).toEqual([
      { key: 'no date', state: 'duplicate', mediaId: byNameOnly.id, trashed: false },
      { key: 'same instant', state: 'duplicate', mediaId: byNameOnly.id, trashed: false },
      { key: 'a day later', state: 'duplicate', mediaId: byNameOnly.id, trashed: false },
      { key: '35 h earlier', state: 'duplicate', mediaId: byNameOnly.id, trashed: false },
      { key: '37 h later', state: 'new' },
      { key: 'other size', state: 'new' },
      { key: 'other case', state: 'new' },
      { key: 'name only', state: 'new' },
      { key: 'size only', state: 'new' },
      { key: 'bob’s', state: 'new' },
      { key: 'unknown local id, known name', state: 'duplicate', mediaId: byNameOnly.id, trashed: false },
    ]);
  });

  it('answers ignored for the user’s ignore list by sha256, local id or a name-only entry', async ({
    db,
    alice,
    bob,
  }) => {
    expect(
      await check(db, alice.id, [
        { key: 'hash', sha256: sha256Of('ignored by hash') },
        { key: 'local id', localId: 'LOCAL-IGNORED' },
        { key: 'name', name: 'SCREENSHOT.PNG', size: 10 },
        { key: 'name with hash', name: 'SCREENSHOT.PNG', sha256: sha256Of('some screenshot') },
        { key: 'entry with a path', name: 'PATHED.PNG', size: 10 },
        { key: 'other case', name: 'screenshot.png' },
        { key: 'bob’s hash', sha256: sha256Of('ignored by bob') },
        { key: 'bob’s name', name: 'BOB-ONLY.PNG' },
        { key: 'duplicate beats ignored', sha256: kept.sha256 },
      ]),
    ).toEqual([
      { key: 'hash', state: 'ignored' },
      { key: 'local id', state: 'ignored' },
      { key: 'name', state: 'ignored' },
      { key: 'name with hash', state: 'ignored' },
      { key: 'entry with a path', state: 'new' },
      { key: 'other case', state: 'new' },
      { key: 'bob’s hash', state: 'new' },
      { key: 'bob’s name', state: 'new' },
      { key: 'duplicate beats ignored', state: 'duplicate', mediaId: kept.id, trashed: false },
    ]);
    expect(await check(db, bob.id, [{ key: 'bob’s name', name: 'BOB-ONLY.PNG' }])).toEqual([
      { key: 'bob’s name', state: 'ignored' },
    ]);
  });

  it('keeps input order and repeated keys, and handles items with nothing to match on', async ({
    db,
    alice,
  }) => {
    expect(
      await check(db, alice.id, [
        { key: 'z', sha256: kept.sha256 },
        { key: 'a' },
        { key: 'z', localId: 'LOCAL-UNKNOWN' },
        { key: 'm', localId: 'LOCAL-TRASHED' },
      ]),
    ).toEqual([
      { key: 'z', state: 'duplicate', mediaId: kept.id, trashed: false },
      { key: 'a', state: 'new' },
      { key: 'z', state: 'new' },
      { key: 'm', state: 'duplicate', mediaId: trashed.id, trashed: true },
    ]);
    expect(await check(db, alice.id, [])).toEqual([]);
    expect(await check(db, 'not-a-uuid', [{ key: 'k', sha256: kept.sha256 }])).toEqual([
      { key: 'k', state: 'new' },
    ]);
  });

  it('answers 10,000 items in one query, in order', async ({ db, alice }) => {
    const items: MediaCheckItem[] = Array.from({ length: 10_000 }, (_, i) => {
      const kinds: MediaCheckItem[] = [
        { key: `${i}`, sha256: i % 2 === 0 ? kept.sha256 : sha256Of(`miss ${i}`) },
        { key: `${i}`, localId: i % 2 === 0 ? 'LOCAL-TRASHED' : `LOCAL-${i}` },
        { key: `${i}`, name: i % 2 === 0 ? 'IMG_0003.JPG' : `IMG_${i}.JPG`, size: 3000, createdAt: TAKEN },
      ];
      return kinds[i % 3]!;
    });
    const recorded = recordQueries(db);
    const results = await checkMedia(recorded.db, { userId: alice.id, items });

    expect(recorded.queries).toHaveLength(1);
    // Six array parameters plus the user id, not one parameter per field.
    expect(recorded.queries[0]!.parameters.length).toBeLessThan(20);
    expect(results.map((result) => result.key)).toEqual(items.map((item) => item.key));
    const expected = [kept.id, trashed.id, byNameOnly.id];
    results.forEach((result, i) => {
      if (i % 2 === 0) expect(result).toMatchObject({ state: 'duplicate', mediaId: expected[i % 3] });
      else expect(result).toEqual({ key: `${i}`, state: 'new' });
    });
  });

  it('answers every rule from an index', async ({ db, alice }) => {
    await sql`analyze media`.execute(db);
    await sql`analyze ignored_files`.execute(db);
    const recorded = recordQueries(db);
    await checkMedia(recorded.db, {
      userId: alice.id,
      items: [
        { key: 'hash', sha256: kept.sha256 },
        { key: 'local id', localId: 'LOCAL-KEPT' },
        { key: 'name', name: 'IMG_0003.JPG', size: 3000, createdAt: TAKEN },
      ],
    });

    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    for (const index of [
      'media_user_sha256_key',
      'media_local_id_idx',
      'media_name_size_idx',
      'ignored_files_sha256_idx',
      'ignored_files_local_id_idx',
      'ignored_files_name_idx',
    ]) {
      expect(plan).toMatch(
        new RegExp(`(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) ${index}\\b`),
      );
    }
  });
});
