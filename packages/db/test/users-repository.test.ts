import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  countUsers,
  createFirstOwner,
  createUser,
  findUserById,
  findUserByUsername,
  type User,
} from '../src/index.js';
import { databases } from './fixtures.js';
import { rejectionOf, untilBlockedOnLock } from './helper.js';

describe.each(databases)('users repository on $label', ({ it, kind }) => {
  it.beforeEach(async ({ db }) => {
    await sql`truncate users cascade`.execute(db);
  });

  it('creates a user and finds it by id and by username in any letter case', async ({ db }) => {
    expect(await countUsers(db)).toBe(0);
    const ada = await createUser(db, {
      username: 'Ada.Lovelace',
      passwordHash: 'argon2id$x',
      role: 'member',
    });
    expect(ada).toMatchObject({
      username: 'Ada.Lovelace',
      password_hash: 'argon2id$x',
      role: 'member',
      display_name: null,
    });
    expect(ada.created_at).toBeInstanceOf(Date);

    expect((await findUserByUsername(db, 'ada.lovelace'))?.id).toBe(ada.id);
    expect((await findUserByUsername(db, 'ADA.LOVELACE'))?.id).toBe(ada.id);
    expect(await findUserByUsername(db, 'ada')).toBeUndefined();
    expect((await findUserById(db, ada.id))?.username).toBe('Ada.Lovelace');
    expect(await countUsers(db)).toBe(1);
  });

  it('treats a malformed or unknown id as not found', async ({ db }) => {
    expect(await findUserById(db, 'not-a-uuid')).toBeUndefined();
    expect(await findUserById(db, "1' or '1'='1")).toBeUndefined();
    expect(await findUserById(db, '7e57d004-2b97-4e7a-b45f-5387367791cd')).toBeUndefined();
  });

  it('refuses a username taken in another letter case with USERNAME_TAKEN', async ({ db }) => {
    await createUser(db, { username: 'grace', passwordHash: 'h', role: 'member' });
    const err = await rejectionOf(createUser(db, { username: 'GRACE', passwordHash: 'h', role: 'member' }));
    expect(err.code).toBe('USERNAME_TAKEN');
    expect(await countUsers(db)).toBe(1);
  });

  it('refuses a second owner with OWNER_EXISTS and a bad name with INVALID_USERNAME', async ({ db }) => {
    await createUser(db, { username: 'first', passwordHash: 'h', role: 'owner' });
    expect(
      (await rejectionOf(createUser(db, { username: 'second', passwordHash: 'h', role: 'owner' }))).code,
    ).toBe('OWNER_EXISTS');
    expect(
      (await rejectionOf(createUser(db, { username: 'no spaces', passwordHash: 'h', role: 'member' }))).code,
    ).toBe('INVALID_USERNAME');
    expect(
      (await rejectionOf(createUser(db, { username: '', passwordHash: 'h', role: 'member' }))).code,
    ).toBe('INVALID_USERNAME');
  });

  it('creates the first owner only while no user exists', async ({ db }) => {
    const owner = await createFirstOwner(db, { username: 'root', passwordHash: 'h', displayName: 'Root' });
    expect(owner).toMatchObject({ username: 'root', role: 'owner', display_name: 'Root' });
    expect(await createFirstOwner(db, { username: 'other', passwordHash: 'h' })).toBeUndefined();
    expect(await countUsers(db)).toBe(1);
  });

  it('refuses the first owner when only a member exists', async ({ db }) => {
    await createUser(db, { username: 'member', passwordHash: 'h', role: 'member' });
    expect(await createFirstOwner(db, { username: 'owner', passwordHash: 'h' })).toBeUndefined();
    expect(await countUsers(db)).toBe(1);
  });

  it('creates exactly one owner when two first-run requests race', async ({ db }) => {
    const results = await Promise.all([
      createFirstOwner(db, { username: 'alice', passwordHash: 'h' }),
      createFirstOwner(db, { username: 'bob', passwordHash: 'h' }),
    ]);
    const created = results.filter((user): user is User => user !== undefined);
    expect(created).toHaveLength(1);
    expect(created[0]?.role).toBe('owner');
    expect(await countUsers(db)).toBe(1);
  });

  it('returns undefined, not an error, to the loser of an interleaved race', async ({ db }) => {
    // The winner's insert stays uncommitted while the loser runs, so on PostgreSQL the loser
    // really sees an empty table and collides on users_one_owner; PGlite serializes the two.
    let loser: Promise<User | undefined> | undefined;
    const winner = await db.transaction().execute(async (trx) => {
      const created = await createFirstOwner(trx, { username: 'winner', passwordHash: 'h' });
      loser = createFirstOwner(db, { username: 'loser', passwordHash: 'h' });
      // PostgreSQL: proof that the loser met the winner's uncommitted row; PGlite queues it.
      if (kind === 'postgres') await untilBlockedOnLock(db, 'insert into "users"');
      return created;
    });
    expect(winner?.username).toBe('winner');
    expect(await loser).toBeUndefined();
    expect((await findUserByUsername(db, 'winner'))?.role).toBe('owner');
    expect(await findUserByUsername(db, 'loser')).toBeUndefined();
  });
});
