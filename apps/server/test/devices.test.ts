import { describe, expect } from 'vitest';
import { bearer, databaseTargets, pairPhone } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('devices ($label)', (target) => {
  const it = serverTest(target);

  it('lists paired phones and marks the calling device as current', async ({ server, owner }) => {
    const phone = await pairPhone(server.app, owner, 'Kitchen iPad');
    const bySession = await server.app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    const listed = bySession.json().data.devices.find((d: { id: string }) => d.id === phone.deviceId);
    expect(listed).toMatchObject({
      name: 'Kitchen iPad',
      current: false,
      preferences: { frequency: 'weekly', selection: 'new', deleteAfterBackup: false },
    });
    const byDevice = await server.app.inject({ url: '/api/v1/devices', headers: bearer(phone.token) });
    expect(byDevice.json().data.devices.find((d: { id: string }) => d.id === phone.deviceId).current).toBe(
      true,
    );
  });

  it('renames a device and changes its backup preferences; bad values are 400', async ({ server, owner }) => {
    const phone = await pairPhone(server.app, owner);
    const patched = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/devices/${phone.deviceId}`,
      headers: bearer(phone.token),
      payload: { name: 'My iPhone', preferences: { frequency: 'daily', deleteAfterBackup: true } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().data.device).toMatchObject({
      name: 'My iPhone',
      preferences: { frequency: 'daily', selection: 'new', deleteAfterBackup: true },
    });
    for (const payload of [
      {},
      { preferences: { frequency: 'hourly' } },
      { name: '' },
      { scopes: ['admin'] },
    ]) {
      const bad = await server.app.inject({
        method: 'PATCH',
        url: `/api/v1/devices/${phone.deviceId}`,
        headers: bearer(owner),
        payload,
      });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('makes a Shortcuts token, upload-only by default, shown once with a QR code', async ({
    server,
    owner,
  }) => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(owner),
      payload: { name: 'Backup on charge', platform: 'shortcuts' },
    });
    expect(created.statusCode).toBe(201);
    const { device, token, qrSvg } = created.json().data;
    expect(device).toMatchObject({ platform: 'shortcuts', scopes: ['media.upload'] });
    expect(qrSvg).toContain('<svg');
    const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
    expect(me.json().data.scopes).toEqual(['media.upload']);
    const list = await server.app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    expect(JSON.stringify(list.json())).not.toContain(token);
  });

  it('a device token cannot mint other tokens, nor grant scopes it lacks', async ({ server, owner }) => {
    const phone = await pairPhone(server.app, owner);
    const byDevice = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(phone.token),
      payload: { name: 'x', platform: 'shortcuts' },
    });
    expect(byDevice.statusCode).toBe(403);
  });

  it('a device may unpair itself (logout) but not another device', async ({ server, owner }) => {
    const a = await pairPhone(server.app, owner, 'A');
    const b = await pairPhone(server.app, owner, 'B');
    const other = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${b.deviceId}`,
      headers: bearer(a.token),
    });
    expect(other.statusCode).toBe(404);
    const out = await server.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      headers: bearer(a.token),
    });
    expect(out.json().data).toEqual({ revoked: true });
    expect(
      (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(a.token) })).json().error.code,
    ).toBe('TOKEN_REVOKED');
    expect((await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(b.token) })).statusCode).toBe(
      200,
    );
  });

  it('records when a device was last seen', async ({ server, owner }) => {
    const phone = await pairPhone(server.app, owner);
    server.clock.advance(5 * 60_000);
    await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(phone.token) });
    const list = await server.app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    const seen = list.json().data.devices.find((d: { id: string }) => d.id === phone.deviceId).lastSeenAt;
    expect(seen).toBe(server.clock.now().toISOString());
  });
});
