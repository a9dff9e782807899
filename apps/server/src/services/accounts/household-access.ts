import type { UserSummary } from '@iclood/api-types';
import { findUserById, type DeviceOwners, type User } from '@iclood/db';
import { ApiError } from '../../errors.js';
import type { App, Principal } from '../../types.js';
import { toUserSummary } from './users.js';

/** True for an owner or admin: a principal holding the `admin` scope. */
export function isHouseholdAdmin(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

/**
 * Whose devices or backups a request asks for: the caller's own by default; another member's,
 * or `all` of the household's, only for an owner or admin (403 otherwise, before anything is
 * looked up, so a member learns nothing of who exists). An unknown user is 404.
 */
export async function ownersAsked(
  app: App,
  principal: Principal,
  user: string | undefined,
  what: string,
): Promise<DeviceOwners> {
  if (user === undefined || user === principal.user.id) return { userId: principal.user.id };
  if (!isHouseholdAdmin(principal)) {
    throw new ApiError('FORBIDDEN', `Only an owner or admin can see another member's ${what}`);
  }
  if (user === 'all') return { everyUser: true };
  if (!(await findUserById(app.db, user))) throw new ApiError('NOT_FOUND', 'No such user');
  return { userId: user };
}

/**
 * The user a new pairing is for: the caller, or the member an owner or admin names. An admin
 * pairs members (and themselves); only the owner may pair a phone into another owner's or
 * admin's library, since the phone can read that library.
 */
export async function pairingUserFor(
  app: App,
  principal: Principal,
  userId: string | undefined,
): Promise<UserSummary> {
  if (userId === undefined || userId === principal.user.id) return principal.user;
  if (!isHouseholdAdmin(principal)) {
    throw new ApiError('FORBIDDEN', 'Only an owner or admin can pair a phone for someone else');
  }
  const user: User | undefined = await findUserById(app.db, userId);
  if (!user) throw new ApiError('NOT_FOUND', 'No such user');
  if (user.role !== 'member' && principal.user.role !== 'owner') {
    throw new ApiError('FORBIDDEN', 'Only the owner can pair a phone for an owner or admin');
  }
  return toUserSummary(user);
}
