import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, loadConfig, type App } from '../src/app.js';
import { folderAccess, protectRoutes } from '../src/plugins/app/auth.js';
import { databaseTargets } from './helper.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const target = databaseTargets[0]!;

/** Builds the real app with one more protected plugin at `/api/v2`, the way routes/api does it. */
async function appWithExtraRoutes(addRoutes: (scope: App) => void) {
  const dataDir = await mkdtemp(join(tmpdir(), 'iclood-access-'));
  const database = await target.create();
  const app = await buildApp(loadConfig({ ICLOOD_DATA_DIR: dataDir, ICLOOD_MDNS: 'false' }, dataDir), {
    database,
    jobs: { paused: true },
    logStream: { write: () => undefined },
  });
  // Not awaited: a refused route then surfaces from ready(), as it would at start.
  void app.register(
    async (scope) => {
      protectRoutes(scope);
      addRoutes(scope as unknown as App);
    },
    { prefix: '/api/v2' },
  );
  return {
    app,
    async close() {
      await app.close().catch(() => undefined);
      await database.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe(`a protected route must say who may call it (${target.label})`, () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('a route with no access declared stops the server from starting', async () => {
    const built = await appWithExtraRoutes((scope) => {
      scope.get('/forgotten', async () => ({ secret: true }));
    });
    close = built.close;
    await expect(built.app.ready()).rejects.toThrow(
      /GET \/api\/v2\/forgotten declares no valid config\.access/,
    );
  });

  it('a misspelt access level is refused the same way', async () => {
    const built = await appWithExtraRoutes((scope) => {
      scope.get('/typo', { config: { access: 'publik' as 'public' } }, async () => ({ secret: true }));
    });
    close = built.close;
    await expect(built.app.ready()).rejects.toThrow(/declares no valid config\.access/);
  });

  it('a declared route is decided by its declaration, whatever URL reached it', async () => {
    const built = await appWithExtraRoutes((scope) => {
      scope.get('/open', { config: { access: 'public' } }, async () => ({ open: true }));
      scope.get('/closed', { config: { access: 'media.read' } }, async () => ({ secret: true }));
    });
    close = built.close;
    await built.app.ready();
    expect((await built.app.inject({ url: '/api/v2/open' })).statusCode).toBe(200);
    for (const url of ['/api/v2/closed', '/%61pi/v2/closed', '/api/v2/%63losed', '/api/v2/closed/']) {
      const response = await built.app.inject({ url });
      expect([401, 404]).toContain(response.statusCode);
      expect(response.body).not.toContain('secret');
    }
  });

  it("a folder's access covers the routes registered in it, unless a route declares its own", async () => {
    const built = await appWithExtraRoutes((scope) => {
      void scope.register(async (folder) => {
        await folder.register(folderAccess('media.read'));
        void folder.register(async (file) => {
          file.get('/folder/closed', async () => ({ secret: true }));
          file.get('/folder/open', { config: { access: 'public' } }, async () => ({ open: true }));
        });
      });
    });
    close = built.close;
    await built.app.ready();
    expect((await built.app.inject({ url: '/api/v2/folder/open' })).statusCode).toBe(200);
    for (const url of ['/api/v2/folder/closed', '/api/v2/folder/%63losed', '/api/v2/folder/closed/']) {
      const response = await built.app.inject({ url });
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain('secret');
    }
  });

  it("a folder's access does not reach the routes beside the folder", async () => {
    const built = await appWithExtraRoutes((scope) => {
      void scope.register(async (folder) => {
        await folder.register(folderAccess('public'));
        folder.get('/folder/open', async () => ({ open: true }));
      });
      scope.get('/beside', async () => ({ secret: true }));
    });
    close = built.close;
    await expect(built.app.ready()).rejects.toThrow(/GET \/api\/v2\/beside declares no valid config\.access/);
  });
});
