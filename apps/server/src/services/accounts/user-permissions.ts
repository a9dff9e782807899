import type { AssignableRole } from '@iclood/api-types';
import type { User } from '@iclood/db';
import { ApiError } from '../../errors.js';
import type { Principal } from '../../types.js';

// Who may do what to whom in the household. The routes already require the `admin` scope (the
// owner or an admin); these rules sit on top:
// - only the owner makes or unmakes admins, and adds an admin;
// - nobody changes the owner's role or removes the owner;
// - an admin manages members (and their own name and password), not the owner or other admins;
// - nobody removes themselves (another admin or the owner can).

function isOwner(actor: Principal): boolean {
  return actor.user.role === 'owner';
}

/** Refuses `POST /users` with `role: 'admin'` from anyone but the owner. */
export function assertMayCreateWithRole(actor: Principal, role: AssignableRole): void {
  if (role === 'admin' && !isOwner(actor)) {
    throw new ApiError('OWNER_ONLY', 'Only the owner can add an admin');
  }
}

/** Refuses a `PATCH /users/{id}` that the caller may not make to `target`. */
export function assertMayUpdate(actor: Principal, target: User, changes: { role?: AssignableRole }): void {
  if (changes.role !== undefined) {
    if (!isOwner(actor)) throw new ApiError('OWNER_ONLY', 'Only the owner can make or unmake admins');
    if (target.role === 'owner') {
      throw new ApiError('CANNOT_CHANGE_OWNER_ROLE', "The owner's role cannot be changed");
    }
  }
  if (isOwner(actor) || target.id === actor.user.id) return;
  if (target.role === 'owner')
    throw new ApiError('OWNER_ONLY', "Only the owner can change the owner's account");
  if (target.role === 'admin')
    throw new ApiError('OWNER_ONLY', "Only the owner can change another admin's account");
}

/** Refuses a `DELETE /users/{id}` that the caller may not make. */
export function assertMayDelete(actor: Principal, target: User): void {
  if (target.role === 'owner') throw new ApiError('CANNOT_DELETE_OWNER', 'The owner cannot be removed');
  if (target.id === actor.user.id) {
    throw new ApiError('CANNOT_DELETE_SELF', 'You cannot remove your own account; the owner can');
  }
  if (target.role === 'admin' && !isOwner(actor)) {
    throw new ApiError('OWNER_ONLY', 'Only the owner can remove an admin');
  }
}
