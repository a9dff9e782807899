import { describe, expect } from 'vitest';

import { DEVICE_SCOPES } from '../src/schema.js';
import { databases } from './fixtures.js';
import { insertDevice, insertMedia, insertUser, pgErrorOf, sha256Of } from './helper.js';

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';

describe.each(databases)('schema constraints on $label', ({ it }) => {
  it('stores a hash once per user but lets another user store the same hash', async ({ db }) => {
    const alice = await insertUser(db);
    const bob = await insertUser(db);
    const hash = sha256Of('same bytes');

    await insertMedia(db, alice.id, { sha256: hash });
    expect(await pgErrorOf(insertMedia(db, alice.id, { sha256: hash }))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: 'media_user_sha256_key',
    });
    const bobs = await insertMedia(db, bob.id, { sha256: hash });
    expect(bobs.sha256).toBe(hash);
  });

  it('rejects a sha256 that is not 64 lowercase hex digits', async ({ db }) => {
    const user = await insertUser(db);
    for (const bad of [sha256Of('x').toUpperCase(), 'abc', `${sha256Of('x')}0`]) {
      expect(await pgErrorOf(insertMedia(db, user.id, { sha256: bad }))).toEqual({
        code: CHECK_VIOLATION,
        constraint: 'media_sha256_check',
      });
    }
    expect(
      await pgErrorOf(
        db
          .insertInto('ignored_files')
          .values({ user_id: user.id, name: 'a.jpg', sha256: 'nothex' })
          .execute(),
      ),
    ).toEqual({ code: CHECK_VIOLATION, constraint: 'ignored_files_sha256_check' });
  });

  it('accepts every token scope of the HTTP contract, alone and all together', async ({ db }) => {
    const user = await insertUser(db);
    for (const scope of DEVICE_SCOPES) {
      expect((await insertDevice(db, user.id, { scopes: [scope] })).scopes).toEqual([scope]);
    }
    expect((await insertDevice(db, user.id, { scopes: [...DEVICE_SCOPES] })).scopes).toEqual([
      ...DEVICE_SCOPES,
    ]);
  });

  it('rejects values outside each enum', async ({ db }) => {
    const user = await insertUser(db);
    const device = await insertDevice(db, user.id);

    expect(await pgErrorOf(insertUser(db, { role: 'root' as never }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'users_role_check',
    });
    expect(await pgErrorOf(insertDevice(db, user.id, { platform: 'android' as never }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'devices_platform_check',
    });
    expect(await pgErrorOf(insertDevice(db, user.id, { scopes: ['media.upload', 'root'] as never }))).toEqual(
      {
        code: CHECK_VIOLATION,
        constraint: 'devices_scopes_check',
      },
    );
    expect(await pgErrorOf(insertDevice(db, user.id, { scopes: [] }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'devices_scopes_check',
    });
    expect(await pgErrorOf(insertMedia(db, user.id, { media_type: 'audio' as never }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'media_media_type_check',
    });
    expect(
      await pgErrorOf(
        db
          .insertInto('backup_sessions')
          .values({ user_id: user.id, device_id: device.id, status: 'paused' as never })
          .execute(),
      ),
    ).toEqual({ code: CHECK_VIOLATION, constraint: 'backup_sessions_status_check' });
    expect(await pgErrorOf(db.insertInto('jobs').values({ kind: 'Thumbnail Generate' }).execute())).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'jobs_kind_check',
    });
  });

  it('accepts the full set of scopes and fills in the defaults', async ({ db }) => {
    const user = await insertUser(db);
    const device = await insertDevice(db, user.id, {
      scopes: ['media.upload', 'media.read', 'media.write', 'admin'],
    });
    expect(device).toMatchObject({
      scopes: ['media.upload', 'media.read', 'media.write', 'admin'],
      backup_frequency: 'weekly',
      backup_selection: 'new',
      delete_after_backup: false,
      revoked_at: null,
    });
    const media = await insertMedia(db, user.id);
    expect(media).toMatchObject({
      metadata: {},
      favorite: false,
      thumbnail_status: 'pending',
      trashed_at: null,
    });
  });

  it('allows at most one owner', async ({ db }) => {
    await insertUser(db, { role: 'owner' });
    expect(await pgErrorOf(insertUser(db, { role: 'owner' }))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: 'users_one_owner',
    });
    expect((await insertUser(db, { role: 'member' })).role).toBe('member');
    // Admins are not owners: there may be several.
    expect((await insertUser(db, { role: 'admin' })).role).toBe('admin');
    expect((await insertUser(db, { role: 'admin' })).role).toBe('admin');
  });

  it('rejects usernames that differ only in case, or break the username rules', async ({ db }) => {
    await insertUser(db, { username: 'Grace' });
    expect(await pgErrorOf(insertUser(db, { username: 'grace', library_folder: 'grace-2' }))).toEqual({
      code: UNIQUE_VIOLATION,
      constraint: 'users_username_lower_key',
    });
    expect(await pgErrorOf(insertUser(db, { username: 'has space', library_folder: 'has-space' }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'users_username_format_check',
    });
    expect(await pgErrorOf(insertUser(db, { username: 'x'.repeat(65), library_folder: 'x' }))).toEqual({
      code: CHECK_VIOLATION,
      constraint: 'users_username_length_check',
    });
  });

  it('deletes a user together with their devices, media, sessions and albums', async ({ db }) => {
    const doomed = await insertUser(db);
    const kept = await insertUser(db);
    const device = await insertDevice(db, doomed.id);
    const media = await insertMedia(db, doomed.id, { device_id: device.id });
    const album = await db
      .insertInto('albums')
      .values({ user_id: doomed.id, name: 'Holiday', cover_media_id: media.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.insertInto('album_media').values({ album_id: album.id, media_id: media.id }).execute();
    await db
      .insertInto('auth_sessions')
      .values({ user_id: doomed.id, expires_at: new Date('2100-01-01T00:00:00Z') })
      .execute();
    const keptMedia = await insertMedia(db, kept.id);

    await db.deleteFrom('users').where('id', '=', doomed.id).execute();

    const remaining = await db.selectFrom('media').select('id').where('user_id', '=', doomed.id).execute();
    expect(remaining).toEqual([]);
    expect(await db.selectFrom('devices').select('id').where('id', '=', device.id).execute()).toEqual([]);
    expect(await db.selectFrom('albums').select('id').where('id', '=', album.id).execute()).toEqual([]);
    expect(
      await db.selectFrom('album_media').select('media_id').where('media_id', '=', media.id).execute(),
    ).toEqual([]);
    expect(
      await db.selectFrom('auth_sessions').select('id').where('user_id', '=', doomed.id).execute(),
    ).toEqual([]);
    expect(await db.selectFrom('media').select('id').where('id', '=', keptMedia.id).execute()).toEqual([
      { id: keptMedia.id },
    ]);
  });

  it('keeps media when its device is deleted, clearing the device reference', async ({ db }) => {
    const user = await insertUser(db);
    const device = await insertDevice(db, user.id);
    const media = await insertMedia(db, user.id, { device_id: device.id });

    await db.deleteFrom('devices').where('id', '=', device.id).execute();

    const after = await db
      .selectFrom('media')
      .select(['id', 'device_id'])
      .where('id', '=', media.id)
      .execute();
    expect(after).toEqual([{ id: media.id, device_id: null }]);
  });

  it('rejects media for a user that does not exist', async ({ db }) => {
    expect(await pgErrorOf(insertMedia(db, '00000000-0000-4000-8000-000000000000'))).toEqual({
      code: '23503',
      constraint: 'media_user_id_fkey',
    });
  });
});
