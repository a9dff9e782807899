import fp from 'fastify-plugin';
import { usernameProblem } from '@iclood/api-types';
import { countUsers, createFirstOwner } from '@iclood/db';
import { ConfigError } from '../../config.js';
import { hashPassword } from '../../services/accounts/passwords.js';
import { withNewLibraryFolder } from '../../services/accounts/users.js';
import type { App } from '../../types.js';

/**
 * Headless setup: with ICLOOD_ADMIN_USERNAME/PASSWORD set and no user yet, the owner is created
 * at start. Once any user exists the variables are ignored (the password is never reset).
 */
export default fp(
  async function ownerBootstrap(app: App) {
    const admin = app.config.admin;
    if (!admin || (await countUsers(app.db)) > 0) return;
    // Checked here, not in loadConfig: an install whose owner exists ignores the variable, so an
    // old value that today's rules refuse must not stop it from starting.
    const problem = usernameProblem(admin.username);
    if (problem !== undefined) throw new ConfigError('ICLOOD_ADMIN_USERNAME', problem);
    const passwordHash = await hashPassword(admin.password);
    const owner = await withNewLibraryFolder(app.config.libraryDir, admin.username, (libraryFolder) =>
      createFirstOwner(app.db, { username: admin.username, libraryFolder, passwordHash }),
    );
    if (owner) app.log.info({ username: owner.username }, 'owner account created from ICLOOD_ADMIN_USERNAME');
  },
  { name: 'owner-bootstrap', dependencies: ['database'] },
);
