import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  createAuthSession,
  createPairingSession,
  createUser,
  deleteUser,
  findUserById,
  listUsers,
  updateUser,
  type Database,
  type Kysely,
} from '../src/index.js';
import { databases } from './fixtures.js';
import { insertDevice, insertMedia, rejectionOf, sha256Of } from './helper.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');

const member = (db: Kysely<Database>, username: string) =>
  createUser(db, { username, passwordHash: 'h', role: 'member' });

/** How many rows each user-owned table holds for `userId`. */
async function rowsOwnedBy(db: Kysely<Database>, userId: string): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, number>>`
    select
      (select count(*)::int from devices where user_id = ${userId}) as devices,
      (select count(*)::int from auth_sessions where user_id = ${userId}) as auth_sessions,
      (select count(*)::int from pairing_sessions where user_id = ${userId}) as pairing_sessions,
      (select count(*)::int from backup_sessions where user_id = ${userId}) as backup_sessions,
      (select count(*)::int from media where user_id = ${userId}) as media,
      (select count(*)::int from ignored_files where user_id = ${userId}) as ignored_files,
      (select count(*)::int from albums where user_id = ${userId}) as albums,
      (select count(*)::int from album_media am join albums a on a.id = am.album_id
        where a.user_id = ${userId}) as album_media`.execute(db);
  return rows[0]!;
}

describe.each(databases)('user administration on $label', ({ it }) => {
  it.beforeEach(async ({ db }) => {
    await sql`truncate users cascade`.execute(db);
  });

  it('lists the owner first, then everyone by username whatever the letter case', async ({ db }) => {
    for (const name of ['carol', 'dave.k', 'Bob', '_admin', 'dave-k', 'alice']) await member(db, name);
    await createUser(db, { username: 'Zed', passwordHash: 'h', role: 'owner' });

    // Byte order after lowercasing, the same on every server locale: - . 0-9 _ a-z
    expect((await listUsers(db)).map((user) => user.username)).toEqual([
      'Zed',
      '_admin',
      'alice',
      'Bob',
      'carol',
      'dave-k',
      'dave.k',
    ]);
  });

  it('changes the display name, password hash and role, never the username', async ({ db }) => {
    const ada = await member(db, 'ada');

    const renamed = await updateUser(db, { id: ada.id, changes: { displayName: 'Ada Lovelace' } });
    expect(renamed).toMatchObject({
      id: ada.id,
      username: 'ada',
      display_name: 'Ada Lovelace',
      password_hash: 'h',
    });
    expect(renamed!.updated_at.getTime()).toBeGreaterThanOrEqual(ada.updated_at.getTime());

    const changed = await updateUser(db, {
      id: ada.id,
      changes: { passwordHash: 'argon2id$new', displayName: null },
    });
    expect(changed).toMatchObject({
      username: 'ada',
      display_name: null,
      password_hash: 'argon2id$new',
      role: 'member',
    });

    const unchanged = await updateUser(db, { id: ada.id, changes: {} });
    expect(unchanged).toEqual(changed);
    expect(await findUserById(db, ada.id)).toEqual(changed);

    // Even a caller that smuggles a username in cannot rename.
    await updateUser(db, { id: ada.id, changes: { username: 'eve' } as never });
    expect((await findUserById(db, ada.id))?.username).toBe('ada');
  });

  it('refuses a second owner with OWNER_EXISTS and leaves the user as it was', async ({ db }) => {
    const owner = await createUser(db, { username: 'root', passwordHash: 'h', role: 'owner' });
    const ada = await member(db, 'ada');

    const err = await rejectionOf(
      updateUser(db, { id: ada.id, changes: { role: 'owner', displayName: 'Ada' } }),
    );
    expect(err.code).toBe('OWNER_EXISTS');
    expect(await findUserById(db, ada.id)).toEqual(ada);

    // Re-stating the owner's own role is not a second owner.
    expect((await updateUser(db, { id: owner.id, changes: { role: 'owner' } }))?.role).toBe('owner');
  });

  it('hands ownership over once the old owner steps down', async ({ db }) => {
    const owner = await createUser(db, { username: 'root', passwordHash: 'h', role: 'owner' });
    const ada = await member(db, 'ada');
    await db.transaction().execute(async (trx) => {
      await updateUser(trx, { id: owner.id, changes: { role: 'member' } });
      await updateUser(trx, { id: ada.id, changes: { role: 'owner' } });
    });
    expect((await listUsers(db)).map((user) => [user.username, user.role])).toEqual([
      ['ada', 'owner'],
      ['root', 'member'],
    ]);
  });

  it('treats an unknown or malformed id as not found', async ({ db }) => {
    expect(await updateUser(db, { id: randomUUID(), changes: { displayName: 'x' } })).toBeUndefined();
    expect(await updateUser(db, { id: randomUUID(), changes: {} })).toBeUndefined();
    expect(await updateUser(db, { id: 'garbage', changes: { displayName: 'x' } })).toBeUndefined();
    expect(await deleteUser(db, { id: randomUUID(), now: NOW })).toBeUndefined();
    expect(await deleteUser(db, { id: 'garbage', now: NOW })).toBeUndefined();
  });

  it('deletes a user with everything they own, and nothing of anyone else', async ({ db }) => {
    const populate = async (username: string) => {
      const user = await member(db, username);
      const device = await insertDevice(db, user.id);
      const media = await insertMedia(db, user.id, { device_id: device.id });
      await createAuthSession(db, { userId: user.id, expiresAt: new Date('2030-01-01T00:00:00Z') });
      await createPairingSession(db, {
        userId: user.id,
        codeHash: sha256Of(`code ${username}`),
        secretHash: sha256Of(`secret ${username}`),
        expiresAt: new Date('2030-01-01T00:00:00Z'),
      });
      await db.insertInto('backup_sessions').values({ user_id: user.id, device_id: device.id }).execute();
      await db.insertInto('ignored_files').values({ user_id: user.id, name: 'IMG_1.HEIC' }).execute();
      const album = await db
        .insertInto('albums')
        .values({ user_id: user.id, name: 'Holidays', cover_media_id: media.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('album_media').values({ album_id: album.id, media_id: media.id }).execute();
      return user;
    };
    const ada = await populate('ada');
    const bob = await populate('bob');
    const everything = {
      devices: 1,
      auth_sessions: 1,
      pairing_sessions: 1,
      backup_sessions: 1,
      media: 1,
      ignored_files: 1,
      albums: 1,
      album_media: 1,
    };
    expect(await rowsOwnedBy(db, ada.id)).toEqual(everything);

    // Counted before the cascade: live devices and sign-ins, every item (trash too), albums.
    await insertDevice(db, ada.id, { revoked_at: NOW });
    await insertMedia(db, ada.id, { size: 1000, trashed_at: NOW });
    await createAuthSession(db, { userId: ada.id, expiresAt: new Date('2026-01-01T00:00:00Z') });
    expect(await deleteUser(db, { id: ada.id, now: NOW })).toEqual({
      devices: 1,
      sessions: 1,
      items: 2,
      bytes: 1234 + 1000,
      trashedItems: 1,
      albums: 1,
    });
    expect(await findUserById(db, ada.id)).toBeUndefined();
    expect(Object.values(await rowsOwnedBy(db, ada.id))).toEqual(Object.values(everything).map(() => 0));
    expect(await rowsOwnedBy(db, bob.id)).toEqual(everything);
    expect(await deleteUser(db, { id: ada.id, now: NOW })).toBeUndefined();
  });
});
