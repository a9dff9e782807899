import { describe, expect } from 'vitest';
import { bearer, databaseTargets, openPairing, pairPhone } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('household members are isolated ($label)', (target) => {
  const it = serverTest(target, { member: 'kid' });

  it("another user's device and pairing ids answer 404, never 403", async ({ server, owner, member }) => {
    const ownerPhone = await pairPhone(server.app, owner);
    const ownerPairing = await openPairing(server.app, owner);
    const attempts = [
      {
        method: 'PATCH' as const,
        url: `/api/v1/devices/${ownerPhone.deviceId}`,
        payload: { name: 'mine now' },
      },
      { method: 'DELETE' as const, url: `/api/v1/devices/${ownerPhone.deviceId}` },
      { method: 'GET' as const, url: `/api/v1/pairing/${ownerPairing.id}` },
      { method: 'GET' as const, url: `/api/v1/pairing/${ownerPairing.id}/qr.png` },
      { method: 'GET' as const, url: `/api/v1/pairing/${ownerPairing.id}/qr.svg` },
    ];
    for (const attempt of attempts) {
      const response = await server.app.inject({ ...attempt, headers: bearer(member.token) });
      expect(response.statusCode, attempt.url).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    const list = await server.app.inject({ url: '/api/v1/devices', headers: bearer(member.token) });
    expect(list.json().data.devices).toEqual([]);
    expect(
      (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(ownerPhone.token) })).statusCode,
    ).toBe(200);
  });

  it("a member's phone pairs to the member, not to the owner", async ({ server, owner, member }) => {
    const phone = await pairPhone(server.app, member.token, "Kid's iPhone");
    const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(phone.token) });
    expect(me.json().data.user.username).toBe('kid');
    const ownerList = await server.app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    expect(ownerList.json().data.devices.map((d: { id: string }) => d.id)).not.toContain(phone.deviceId);
  });
});
