import { describe, expect } from 'vitest';
import { buildApp } from '../src/app.js';
import { databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('ping ($label)', (target) => {
  const it = serverTest(target, { owner: false });

  it.for(['/ping', '/api/v1/ping'])('%s answers without auth in the envelope', async (url, { server }) => {
    const response = await server.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: 'success', message: 'pong', data: { name: 'iClood' } });
    expect(body.data.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.data.serverId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(body.timestamp).toString()).not.toBe('Invalid Date');
  });

  it('keeps the server id across restarts on the same data dir, and refuses a second server on it', async ({
    server,
  }) => {
    const first = (await server.app.inject({ url: '/ping' })).json().data.serverId;
    await expect(
      buildApp(server.config, { database: server.database, logStream: { write: () => {} } }),
    ).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await server.app.close();
    const again = await buildApp(server.config, {
      database: server.database,
      logStream: { write: () => {} },
    });
    try {
      expect((await again.inject({ url: '/api/v1/ping' })).json().data.serverId).toBe(first);
    } finally {
      await again.close();
    }
  });
});
