import type { Kysely } from 'kysely';

import type { AuthSession, Database, User } from './schema.js';
import { isUuid } from './uuid.js';

/** `last_seen_at` is written at most this often per session: every write wears a Pi's SD card. */
export const AUTH_SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface NewAuthSession {
  userId: string;
  expiresAt: Date;
  userAgent?: string | null;
  ip?: string | null;
}

export async function createAuthSession(db: Kysely<Database>, input: NewAuthSession): Promise<AuthSession> {
  return db
    .insertInto('auth_sessions')
    .values({
      user_id: input.userId,
      expires_at: input.expiresAt,
      user_agent: input.userAgent ?? null,
      ip: input.ip ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The session named by a token, with its user, if it belongs to `userId`, is not revoked and has
 * not expired at `now`. A malformed id is simply not found.
 */
export async function findActiveAuthSession(
  db: Kysely<Database>,
  query: { id: string; userId: string; now: Date },
): Promise<{ session: AuthSession; user: User } | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return undefined;
  const row = await db
    .selectFrom('auth_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id',
      's.created_at',
      's.expires_at',
      's.last_seen_at',
      's.revoked_at',
      's.user_agent',
      's.ip',
      'u.username',
      'u.library_folder',
      'u.display_name',
      'u.password_hash',
      'u.role',
      'u.created_at as user_created_at',
      'u.updated_at as user_updated_at',
    ])
    .where('s.id', '=', query.id)
    .where('s.user_id', '=', query.userId)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', query.now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    session: {
      id: row.id,
      user_id: row.user_id,
      created_at: row.created_at,
      expires_at: row.expires_at,
      last_seen_at: row.last_seen_at,
      revoked_at: row.revoked_at,
      user_agent: row.user_agent,
      ip: row.ip,
    },
    user: {
      id: row.user_id,
      username: row.username,
      library_folder: row.library_folder,
      display_name: row.display_name,
      password_hash: row.password_hash,
      role: row.role,
      created_at: row.user_created_at,
      updated_at: row.user_updated_at,
    },
  };
}

/** Revokes one of the user's sessions (logout). `false` when there was nothing to revoke. */
export async function revokeAuthSession(
  db: Kysely<Database>,
  query: { id: string; userId: string; now: Date },
): Promise<boolean> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return false;
  const result = await db
    .updateTable('auth_sessions')
    .set({ revoked_at: query.now })
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Revokes every live session of a user, except `exceptSessionId` (the caller's own, so changing
 * one's password does not log oneself out). Returns how many were revoked.
 */
export async function revokeUserAuthSessions(
  db: Kysely<Database>,
  query: { userId: string; now: Date; exceptSessionId?: string },
): Promise<number> {
  if (!isUuid(query.userId)) return 0;
  const except = query.exceptSessionId;
  let update = db
    .updateTable('auth_sessions')
    .set({ revoked_at: query.now })
    .where('user_id', '=', query.userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', query.now);
  // A malformed id names no session, so there is nothing to spare.
  if (except !== undefined && isUuid(except)) update = update.where('id', '<>', except);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Records that the session was used at `now`, unless that was already recorded less than
 * {@link AUTH_SESSION_TOUCH_INTERVAL_MS} ago. Returns whether a row was written.
 */
export async function touchAuthSession(
  db: Kysely<Database>,
  query: { id: string; now: Date },
): Promise<boolean> {
  if (!isUuid(query.id)) return false;
  const staleBefore = new Date(query.now.getTime() - AUTH_SESSION_TOUCH_INTERVAL_MS);
  const result = await db
    .updateTable('auth_sessions')
    .set({ last_seen_at: query.now })
    .where('id', '=', query.id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<=', staleBefore)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
