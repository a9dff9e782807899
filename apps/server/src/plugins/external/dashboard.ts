import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { App } from '../../types.js';

/** The built dashboard (apps/dashboard/dist), or undefined when it has not been built. */
export function dashboardDistDir(): string | undefined {
  const packageJson = createRequire(import.meta.url).resolve('@iclood/dashboard/package.json');
  const dist = join(dirname(packageJson), 'dist');
  return existsSync(join(dist, 'index.html')) ? dist : undefined;
}

/** Serves the dashboard at `/`; hashed assets are cached for a year, index.html never; compressed ahead. */
export default fp(
  async function dashboardPlugin(app: App) {
    const root = dashboardDistDir();
    if (!root) {
      app.log.warn('the dashboard is not built (run the build); serving the API only');
      return;
    }
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: ['index.html'],
      // The build writes .br and .gz beside each text file: sent as the browser accepts, no
      // compressing per request on the Pi.
      preCompressed: true,
      setHeaders(reply, path) {
        reply.header(
          'cache-control',
          path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  },
  { name: 'dashboard' },
);
