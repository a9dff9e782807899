import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, pngBytes, uploadRaw } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('system status ($label)', (target) => {
  const it = serverTest(target);

  it('reports version, uptime, database kind and health, and the folders', async ({
    server,
    owner: token,
  }) => {
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

  it("shows a member no server folders and only their own library; an admin sees the household's", async ({
    server,
    owner: token,
  }) => {
    const member = await addMember(server.app, token, 'mia');
    const admin = await addMember(server.app, token, 'adam');
    await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.id}`,
      headers: bearer(token),
      payload: { role: 'admin' },
    });
    const ownerItems = [pngBytes(1), pngBytes(2, 16)];
    for (const [i, bytes] of ownerItems.entries())
      await uploadRaw(server.app, token, `owner-${i}.png`, bytes);
    const memberBytes = pngBytes(3, 12);
    await uploadRaw(server.app, member.token, 'mine.png', memberBytes);
    const everything = ownerItems.reduce((sum, bytes) => sum + bytes.length, memberBytes.length);

    const statusAs = async (caller: string) => {
      const response = await server.app.inject({ url: '/api/v1/system/status', headers: bearer(caller) });
      expect(response.statusCode).toBe(200);
      return response.json().data;
    };
    const asMember = await statusAs(member.token);
    expect(asMember).toMatchObject({ dataDir: null, libraryDir: null, database: { kind: target.kind } });
    expect(asMember.storage).toMatchObject({ libraryItems: 1, libraryBytes: memberBytes.length });
    expect(asMember.storage.diskTotalBytes).toBeGreaterThan(0);
    expect(JSON.stringify(asMember)).not.toContain(server.dataDir);

    for (const caller of [token, admin.token]) {
      const asAdmin = await statusAs(caller);
      expect(asAdmin).toMatchObject({
        dataDir: server.dataDir,
        libraryDir: `${server.dataDir}/library`,
        storage: { libraryItems: 3, libraryBytes: everything },
      });
    }
  });

  it('needs a token', async ({ server }) => {
    const response = await server.app.inject({ url: '/api/v1/system/status' });
    expect(response.statusCode).toBe(401);
  });
});
