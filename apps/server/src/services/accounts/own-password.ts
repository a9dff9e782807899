import type { FastifyRequest } from 'fastify';
import { findUserById, revokeUserAuthSessions, updateUser } from '@iclood/db';
import { ApiError } from '../../errors.js';
import { principalOf, type App } from '../../types.js';
import { hashPassword, verifyPassword } from './passwords.js';

/**
 * Changes the signed-in user's own password once the current one is proven, and ends their other
 * dashboard and CLI sign-ins in the same transaction; the calling session goes on, and paired
 * devices keep their tokens (a phone's backup does not stop because a password changed). Returns
 * how many sessions were ended.
 */
export async function changeOwnPassword(
  app: App,
  request: FastifyRequest,
  passwords: { currentPassword: string; newPassword: string },
): Promise<number> {
  const principal = principalOf(request);
  const user = await findUserById(app.db, principal.user.id);
  if (!user || !(await verifyPassword(user.password_hash, passwords.currentPassword))) {
    request.log.info({ userId: principal.user.id }, 'password change refused: wrong current password');
    throw new ApiError('WRONG_CURRENT_PASSWORD', 'The current password is not right');
  }
  const passwordHash = await hashPassword(passwords.newPassword);
  const revoked = await app.db.transaction().execute(async (trx) => {
    await updateUser(trx, { id: user.id, changes: { passwordHash } });
    return revokeUserAuthSessions(trx, {
      userId: user.id,
      now: app.now(),
      exceptSessionId: principal.tokenRowId,
    });
  });
  request.log.info({ userId: user.id, revokedSessions: revoked }, 'password changed');
  return revoked;
}
