import fp from 'fastify-plugin';
import { countUsers, createFirstOwner } from '@iclood/db';
import { hashPassword } from '../../services/passwords.js';
import type { App } from '../../types.js';

/**
 * Headless setup: with ICLOOD_ADMIN_USERNAME/PASSWORD set and no user yet, the owner is created
 * at start. Once any user exists the variables are ignored (the password is never reset).
 */
export default fp(
  async function ownerBootstrap(app: App) {
    const admin = app.config.admin;
    if (!admin || (await countUsers(app.db)) > 0) return;
    const owner = await createFirstOwner(app.db, {
      username: admin.username,
      passwordHash: await hashPassword(admin.password),
    });
    if (owner) app.log.info({ username: owner.username }, 'owner account created from ICLOOD_ADMIN_USERNAME');
  },
  { name: 'owner-bootstrap', dependencies: ['database'] },
);
