import { sql, type Kysely } from 'kysely';

import { DbError, isCheckViolation, isUniqueViolation } from './errors.js';
import type { Database, User, UserRole } from './schema.js';
import { isUuid } from './uuid.js';

export interface NewUser {
  username: string;
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
 * `OWNER_EXISTS` for a second owner, `INVALID_USERNAME` when the name breaks the schema's rules
 * (1–64 characters of `A–Z a–z 0–9 . _ -`).
 */
export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  try {
    return await db
      .insertInto('users')
      .values({
        username: input.username,
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
      .columns(['username', 'password_hash', 'role', 'display_name'])
      .expression(
        db
          .selectNoFrom((eb) => [
            eb.cast<string>(eb.val(input.username), 'text').as('username'),
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

function toUserWriteError(err: unknown, username: string): unknown {
  if (isUniqueViolation(err, 'users_username_lower_key')) {
    return new DbError('USERNAME_TAKEN', `The username "${username}" is already taken`, { cause: err });
  }
  if (isUniqueViolation(err, 'users_one_owner')) {
    return new DbError('OWNER_EXISTS', 'This server already has an owner', { cause: err });
  }
  if (
    isCheckViolation(err, 'users_username_length_check') ||
    isCheckViolation(err, 'users_username_format_check')
  ) {
    return new DbError(
      'INVALID_USERNAME',
      'A username is 1 to 64 characters: letters, digits, dot, underscore and hyphen',
      { cause: err },
    );
  }
  return err;
}
