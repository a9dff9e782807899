import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import { databases } from './fixtures.js';
import { insertMedia, insertUser, planWithoutSeqScan, sha256Of } from './helper.js';

const EXPECTED_INDEXES = [
  'users_username_lower_key',
  'users_one_owner',
  'auth_sessions_user_id_idx',
  'devices_user_id_idx',
  'devices_token_id_key',
  'pairing_sessions_user_created_idx',
  'pairing_sessions_code_hash_key',
  'pairing_sessions_secret_hash_key',
  'backup_sessions_device_started_idx',
  'backup_sessions_user_started_idx',
  'backup_sessions_one_running_per_device',
  'media_user_sha256_key',
  'media_rel_path_key',
  'media_browse_idx',
  'media_uploaded_idx',
  'media_trash_idx',
  'media_local_id_idx',
  'media_name_size_idx',
  'media_device_id_idx',
  'ignored_files_sha256_idx',
  'ignored_files_local_id_idx',
  'ignored_files_name_idx',
  'ignored_files_user_created_idx',
  'albums_user_name_key',
  'album_media_pkey',
  'album_media_media_id_idx',
  'jobs_pending_run_at_idx',
  'jobs_media_id_idx',
];

describe.each(databases)('indexes on $label', ({ it }) => {
  let userId: string;

  it.beforeAll(async ({ db }) => {
    const user = await insertUser(db);
    userId = user.id;
    for (let i = 0; i < 20; i++) {
      await insertMedia(db, user.id, { taken_at: new Date(Date.UTC(2024, 0, 1 + i)) });
    }
    await sql`analyze media`.execute(db);
  });

  it('has every named index', async ({ db }) => {
    const { rows } = await sql<{ indexname: string }>`
      select indexname from pg_indexes where schemaname = 'public'`.execute(db);
    const names = rows.map((row) => row.indexname);
    expect(names).toEqual(expect.arrayContaining(EXPECTED_INDEXES));
  });

  it('serves the keyset browse page from media_browse_idx', async ({ db }) => {
    const query = db
      .selectFrom('media')
      .selectAll()
      .where('user_id', '=', userId)
      .where('trashed_at', 'is', null)
      .where((eb) =>
        eb(
          eb.refTuple('taken_at', 'id'),
          '<',
          eb.tuple(new Date('2024-01-10T00:00:00Z'), 'ffffffff-ffff-4fff-bfff-ffffffffffff'),
        ),
      )
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(100);

    const plan = await planWithoutSeqScan(db, query);
    expect(plan).toContain('Index Scan using media_browse_idx');
    // The cursor bound is an index condition (a range start), not a filter over skipped rows.
    expect(plan).toMatch(/Index Cond: .*ROW\(taken_at, id\) < ROW\(/);
    expect(plan).not.toMatch(/\bSort\b/);
  });

  it('answers a batch duplicate check from media_user_sha256_key', async ({ db }) => {
    const hashes = [sha256Of('a'), sha256Of('b'), sha256Of('c')];
    const query = db
      .selectFrom('media')
      .select(['id', 'sha256'])
      .where('user_id', '=', userId)
      .where((eb) => eb('sha256', '=', eb.fn.any(eb.val(hashes))));

    const plan = await planWithoutSeqScan(db, query);
    expect(plan).toMatch(/Index (Only )?Scan using media_user_sha256_key/);
  });
});
