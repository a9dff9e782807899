import { join } from 'node:path';
import autoload from '@fastify/autoload';
import { protectRoutes } from '../plugins/app/auth.js';
import type { AppPlugin } from '../types.js';

/**
 * Everything under `/api/v1`: one folder per resource in `api/`, loaded by @fastify/autoload.
 * A folder's name is its routes' path prefix (`api/albums/index.ts` serves `/api/v1/albums…`);
 * a folder whose routes all have one access level says it once in its `autohooks.ts`
 * (`folderAccess`), the others on each route. This one plugin's hooks decide access: every route
 * ends up with a `config.access` (or is refused at registration) and each request is checked
 * against the route the router matched, whatever spelling of the path reached it.
 *
 * The same code loads `.ts` under vitest and the built `.js` in production (`"type": "module"`:
 * ES modules either way); `*-bodies` files are response mappers beside their routes, not plugins.
 */
const apiRoutes: AppPlugin = async (app) => {
  protectRoutes(app);
  await app.register(autoload, {
    dir: join(import.meta.dirname, 'api'),
    autoHooks: true,
    cascadeHooks: true,
    ignorePattern: /-bodies\.[cm]?[jt]s$/,
  });
};

export default apiRoutes;
