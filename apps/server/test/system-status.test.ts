import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, databaseTargets, setupOwner, startTestServer, type TestServer } from './helper.js';

describe.each(databaseTargets)('system status ($label)', (target) => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(target);
    token = await setupOwner(server.app);
  });
  afterAll(() => server.close());

  it('reports version, uptime, database kind and health, and the folders', async () => {
    const response = await server.app.inject({ url: '/api/v1/system/status', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    const status = response.json().data;
    expect(status).toMatchObject({
      name: 'iClood',
      database: { kind: target.kind, healthy: true },
      dataDir: server.dataDir,
      libraryDir: `${server.dataDir}/library`,
      nodeVersion: process.version,
      mdns: { enabled: false, advertising: false, host: 'iclood.local', services: [] },
      tls: { enabled: false, port: null, fingerprint: null },
    });
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(status.database.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('needs a token', async () => {
    const response = await server.app.inject({ url: '/api/v1/system/status' });
    expect(response.statusCode).toBe(401);
  });
});
