import { sql, type Kysely, type Updateable } from 'kysely';

import { DbError, isCheckViolation, isUniqueViolation } from './errors.js';
import { inTransaction } from './in-transaction.js';
import type { Database, User, UserRole, UsersTable } from './schema.js';
import { isUuid } from './uuid.js';

export interface NewUser {
  username: string;
  /**
   * The user's folder at the top of the library (see `UsersTable`); the username when left out.
   * Either way it must be one safe path segment, or the insert fails with `INVALID_USERNAME`.
   */
  libraryFolder?: string;
  passwordHash: string;
  role: UserRole;
  displayName?: string | null;
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

/**
 * Inserts a user. Throws `DbError` `USERNAME_TAKEN` when the name exists in any letter case,
 * `LIBRARY_FOLDER_TAKEN` when another user has that library folder in any letter case (pick
 * another and try again), `OWNER_EXISTS` for a second owner, `INVALID_USERNAME` when the name
 * breaks the schema's rules (1–64 characters of `A–Z a–z 0–9 . _ -`).
 */
export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  try {
    return await db
      .insertInto('users')
      .values({
        username: input.username,
        library_folder: input.libraryFolder ?? input.username,
        password_hash: input.passwordHash,
        role: input.role,
        display_name: input.displayName ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    throw toUserWriteError(err, input.username);
  }
}

/**
 * Creates the owner if, and only if, no user exists yet; returns `undefined` otherwise.
 *
 * Race-safe without a lock: the insert is conditional on an empty table, and when two first-run
 * requests both see it empty, the `users_one_owner` unique index lets one insert win while
 * `on conflict do nothing` turns the other into "no row" instead of an error, so it is also safe
 * inside a caller's transaction.
 *
 * @example
 * const owner = await createFirstOwner(db, { username: 'ada', passwordHash });
 * if (!owner) throw new HttpError(409, 'SETUP_DONE');
 */
export async function createFirstOwner(
  db: Kysely<Database>,
  input: Omit<NewUser, 'role'>,
): Promise<User | undefined> {
  try {
    return await db
      .insertInto('users')
      .columns(['username', 'library_folder', 'password_hash', 'role', 'display_name'])
      .expression(
        db
          .selectNoFrom((eb) => [
            eb.cast<string>(eb.val(input.username), 'text').as('username'),
            eb.cast<string>(eb.val(input.libraryFolder ?? input.username), 'text').as('library_folder'),
            eb.cast<string>(eb.val(input.passwordHash), 'text').as('password_hash'),
            eb.cast<UserRole>(eb.val('owner'), 'text').as('role'),
            eb.cast<string | null>(eb.val(input.displayName ?? null), 'text').as('display_name'),
          ])
          .where((eb) => eb.not(eb.exists(eb.selectFrom('users').select(sql.lit(1).as('one'))))),
      )
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    throw toUserWriteError(err, input.username);
  }
}

/** Case-insensitive: `Ada` finds `ada`. Uses the `lower(username)` unique index. */
export async function findUserByUsername(db: Kysely<Database>, username: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', eb.fn('lower', [eb.val(username)])))
    .executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What the owner may change about a user. The username and library folder never change. */
export interface UserChanges {
  displayName?: string | null;
  passwordHash?: string;
  role?: UserRole;
}

/** Every user: the owner first, then by username regardless of letter case or server locale. */
export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .orderBy(sql`case when role = 'owner' then 0 else 1 end`)
    .orderBy(sql`lower(username) collate "C"`)
    .execute();
}

/**
 * Changes a user's display name, password hash or role, and `updated_at`; `undefined` when the
 * user does not exist. Throws `DbError` `OWNER_EXISTS` when making a second owner. It does not
 * stop the last owner from being demoted: whoever calls it decides who may do that.
 */
export async function updateUser(
  db: Kysely<Database>,
  query: { id: string; changes: UserChanges },
): Promise<User | undefined> {
  if (!isUuid(query.id)) return undefined;
  const { changes } = query;
  const set: Updateable<UsersTable> = {};
  if (changes.displayName !== undefined) set.display_name = changes.displayName;
  if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
  if (changes.role !== undefined) set.role = changes.role;
  if (Object.keys(set).length === 0) return findUserById(db, query.id);
  try {
    return await db
      .updateTable('users')
      .set({ ...set, updated_at: sql<Date>`now()` })
      .where('id', '=', query.id)
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    throw toUserWriteError(err);
  }
}

/** What went with a removed user, counted in the transaction that removed them. */
export interface UserRemoval {
  /** Paired devices and tokens that still worked (not revoked); they stop at once. */
  devices: number;
  /** Dashboard and CLI sign-ins still live at `now`. */
  sessions: number;
  /** Catalog entries of their photos and videos, the trash included; the files stay on disk. */
  items: number;
  /** The size of those originals. */
  bytes: number;
  /** How many of `items` were in the trash. */
  trashedItems: number;
  albums: number;
}

/**
 * Deletes a user and, through the schema's cascades, their devices, sessions, pairings, backup
 * history, media rows (and their jobs), ignored files and albums, and says how much went. The
 * library files on disk (and thumbnails, swept as orphans by the storage clean-up) are the
 * caller's business. `undefined` when there was no such user.
 *
 * The user's row is locked before counting, so an upload committing meanwhile is either counted
 * or refused by its foreign key: the figures are exactly what was deleted.
 *
 * @example
 * const removed = await deleteUser(db, { id, now }); // { devices: 2, items: 812, bytes: …, … }
 */
export async function deleteUser(
  db: Kysely<Database>,
  query: { id: string; now: Date },
): Promise<UserRemoval | undefined> {
  const { id, now } = query;
  if (!isUuid(id)) return undefined;
  return inTransaction(db, async (trx) => {
    const locked = await trx
      .selectFrom('users')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return undefined;
    const { rows } = await sql<UserRemoval>`
      select
        (select count(*)::int from devices where user_id = ${id} and revoked_at is null) as devices,
        (select count(*)::int from auth_sessions
          where user_id = ${id} and revoked_at is null and expires_at > ${now}) as sessions,
        (select count(*)::int from media where user_id = ${id}) as items,
        (select coalesce(sum(size), 0)::bigint from media where user_id = ${id}) as bytes,
        (select count(*)::int from media where user_id = ${id} and trashed_at is not null) as "trashedItems",
        (select count(*)::int from albums where user_id = ${id}) as albums`.execute(trx);
    await trx.deleteFrom('users').where('id', '=', id).execute();
    const removal = rows[0]!;
    return { ...removal, bytes: Number(removal.bytes) };
  });
}

function toUserWriteError(err: unknown, username?: string): unknown {
  if (isUniqueViolation(err, 'users_username_lower_key')) {
    const name = username === undefined ? 'This username' : `The username "${username}"`;
    return new DbError('USERNAME_TAKEN', `${name} is already taken`, { cause: err });
  }
  if (isUniqueViolation(err, 'users_library_folder_lower_key')) {
    return new DbError('LIBRARY_FOLDER_TAKEN', 'This library folder belongs to another user', { cause: err });
  }
  if (isUniqueViolation(err, 'users_one_owner')) {
    return new DbError('OWNER_EXISTS', 'This server already has an owner', { cause: err });
  }
  if (
    isCheckViolation(err, 'users_username_length_check') ||
    isCheckViolation(err, 'users_username_format_check') ||
    isCheckViolation(err, 'users_library_folder_check')
  ) {
    return new DbError(
      'INVALID_USERNAME',
      'A username is 1 to 64 characters: letters, digits, dot, underscore and hyphen, and names a safe folder',
      { cause: err },
    );
  }
  return err;
}
