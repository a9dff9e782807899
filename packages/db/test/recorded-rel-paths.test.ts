import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import { recordedRelPaths } from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, planWithoutSeqScan, recordQueries } from './helper.js';

describe.each(databasesWithAliceAndBob)('which library paths have a row, on $label', ({ it }) => {
  it('returns exactly the recorded paths, of any user, trashed or not', async ({ db, alice, bob }) => {
    const kept = await insertMedia(db, alice.id, { rel_path: 'alice/2024/03/IMG_0001.HEIC' });
    const trashed = await insertMedia(db, alice.id, {
      rel_path: 'alice/2024/03/IMG_0002.HEIC',
      trashed_at: new Date('2030-01-01T00:00:00Z'),
    });
    const ofBob = await insertMedia(db, bob.id, { rel_path: 'bob/2024/03/IMG_0001.HEIC' });

    const found = await recordedRelPaths(db, [
      kept.rel_path,
      'alice/2024/03/IMG_0001 (2).HEIC',
      trashed.rel_path,
      ofBob.rel_path,
      'alice/2024/03/img_0001.heic',
      kept.rel_path,
    ]);
    expect(found).toEqual(new Set([kept.rel_path, trashed.rel_path, ofBob.rel_path]));
  });

  it('answers an empty list without asking the database', async ({ db }) => {
    const recorded = recordQueries(db);
    expect(await recordedRelPaths(recorded.db, [])).toEqual(new Set());
    expect(recorded.queries).toEqual([]);
  });

  it('answers 20,000 paths in one query served by the rel_path unique index', async ({ db, alice }) => {
    const stored = await insertMedia(db, alice.id, { rel_path: 'alice/2025/01/batch.HEIC' });
    const paths = Array.from({ length: 20_000 }, (_, i) => `alice/2025/01/missing-${i}.HEIC`);
    paths[12_345] = stored.rel_path;
    await sql`analyze media`.execute(db);

    const recorded = recordQueries(db);
    expect(await recordedRelPaths(recorded.db, paths)).toEqual(new Set([stored.rel_path]));
    expect(recorded.queries).toHaveLength(1);
    expect(recorded.queries[0]!.parameters).toHaveLength(1);

    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toMatch(/Index (Only )?Scan using media_rel_path_key/);
  });
});
