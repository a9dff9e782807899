import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, pairPhone, pngBytes } from './helper.js';
import { serverTest, type Member } from './server-test.js';

interface ListedDevice {
  id: string;
  userId: string;
  name: string;
  lastBackupAt: string | null;
  lastBackup: Record<string, unknown> | null;
  runningBackup: boolean;
}

describe.each(databaseTargets)('devices across the household ($label)', (target) => {
  let owner: Member;
  let kid: Member;
  let teen: Member;
  const it = serverTest(target, {
    async seed({ server, owner: ownerToken }) {
      const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(ownerToken) });
      owner = { id: me.json().data.user.id, token: ownerToken };
      kid = await addMember(server.app, ownerToken, 'kid');
      teen = await addMember(server.app, ownerToken, 'teen');
    },
  }).extend('list', ({ server }) => async (token: string, user?: string) => {
    const response = await server.app.inject({
      url: `/api/v1/devices${user === undefined ? '' : `?user=${user}`}`,
      headers: bearer(token),
    });
    return response;
  });
  const ids = (devices: ListedDevice[]) => devices.map((device) => device.id).sort();

  it("lists the caller's own by default; an owner sees a member's or everyone's; a member neither", async ({
    server,
    list,
  }) => {
    const ownerPhone = await pairPhone(server.app, owner.token, 'Owner iPhone');
    const kidPhone = await pairPhone(server.app, kid.token, 'Kid iPhone');
    const teenPhone = await pairPhone(server.app, teen.token, 'Teen iPhone');

    const own = (await list(kid.token)).json().data.devices as ListedDevice[];
    expect(own).toEqual([expect.objectContaining({ id: kidPhone.deviceId, userId: kid.id })]);
    expect(ids((await list(kid.token, kid.id)).json().data.devices)).toEqual([kidPhone.deviceId]);

    const ofKid = await list(owner.token, kid.id);
    expect(ofKid.statusCode).toBe(200);
    expect(ids(ofKid.json().data.devices)).toEqual([kidPhone.deviceId]);
    const everyone = (await list(owner.token, 'all')).json().data.devices as ListedDevice[];
    expect(ids(everyone)).toEqual(
      expect.arrayContaining([ownerPhone.deviceId, kidPhone.deviceId, teenPhone.deviceId]),
    );
    expect(everyone.find((device) => device.id === teenPhone.deviceId)?.userId).toBe(teen.id);
    expect(ids((await list(owner.token)).json().data.devices)).toEqual([ownerPhone.deviceId]);

    for (const user of [teen.id, owner.id, 'all', randomUUID()]) {
      const refused = await list(kid.token, user);
      expect(refused.statusCode, user).toBe(403);
      expect(refused.json().error.code).toBe('FORBIDDEN');
    }
    // A member's phone is no more than the member.
    expect((await list(kidPhone.token, 'all')).statusCode).toBe(403);

    const unknown = await list(owner.token, randomUUID());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const malformed = await list(owner.token, 'everyone');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('an owner renames and revokes a member’s device; a member cannot touch another’s', async ({
    server,
    list,
  }) => {
    const kidPhone = await pairPhone(server.app, kid.token, 'Old name');
    const teenPhone = await pairPhone(server.app, teen.token, 'Teen phone');

    const renamed = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/devices/${kidPhone.deviceId}`,
      headers: bearer(owner.token),
      payload: { name: 'Kid’s new iPhone' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().data.device).toMatchObject({
      id: kidPhone.deviceId,
      userId: kid.id,
      name: 'Kid’s new iPhone',
      current: false,
      lastBackup: null,
      runningBackup: false,
    });

    for (const attempt of [
      { method: 'PATCH' as const, payload: { name: 'mine now' } },
      { method: 'DELETE' as const },
    ]) {
      const refused = await server.app.inject({
        ...attempt,
        url: `/api/v1/devices/${teenPhone.deviceId}`,
        headers: bearer(kid.token),
      });
      expect(refused.statusCode).toBe(404);
      expect(refused.json().error.code).toBe('NOT_FOUND');
      // Nor from the kid's phone, nor the teen's phone at another device.
      const byPhone = await server.app.inject({
        ...attempt,
        url: `/api/v1/devices/${teenPhone.deviceId}`,
        headers: bearer(kidPhone.token),
      });
      expect(byPhone.statusCode).toBe(404);
    }
    expect((await list(teen.token)).json().data.devices[0]).toMatchObject({ name: 'Teen phone' });

    const revoked = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${kidPhone.deviceId}`,
      headers: bearer(owner.token),
    });
    expect(revoked.json().data).toEqual({ revoked: true, id: kidPhone.deviceId });
    const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(kidPhone.token) });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('TOKEN_REVOKED');
    expect(ids((await list(kid.token)).json().data.devices)).not.toContain(kidPhone.deviceId);
  });

  it('shows each device’s latest ended backup, whether one runs, and when the last one ended', async ({
    server,
    list,
  }) => {
    const phone = await pairPhone(server.app, teen.token, 'Backed-up iPhone');
    const send = (path: string, payload: object) =>
      server.app.inject({
        method: 'POST',
        url: `/api/v1/backup/${path}`,
        headers: bearer(phone.token),
        payload,
      });

    const first = (await send('start', { expectedFiles: 2 })).json().data.session;
    for (const seed of [1, 2]) {
      const uploaded = await server.app.inject({
        method: 'POST',
        url: `/api/v1/media/upload?filename=IMG_${seed}.png&sessionId=${first.id}`,
        headers: bearer(phone.token),
        payload: pngBytes(700 + seed, 64),
      });
      expect(uploaded.statusCode).toBe(201);
    }
    server.clock.advance(5 * 60_000); // a backup that takes five minutes
    const ended = (await send('stop', { sessionId: first.id })).json().data.session;
    expect(ended.endedAt).not.toBe(ended.startedAt);

    server.clock.advance(60_000);
    const second = (await send('start', {})).json().data.session;

    const listed = ((await list(teen.token)).json().data.devices as ListedDevice[]).find(
      (device) => device.id === phone.deviceId,
    );
    expect(listed).toMatchObject({
      lastBackupAt: ended.endedAt,
      runningBackup: true,
      lastBackup: {
        id: first.id,
        status: 'completed',
        startedAt: first.startedAt,
        endedAt: ended.endedAt,
        files: 2,
        bytes: pngBytes(701, 64).length + pngBytes(702, 64).length,
        duplicates: 0,
        failures: 0,
        error: null,
      },
    });

    server.clock.advance(30_000);
    await send('stop', { sessionId: second.id, error: 'Wi-Fi lost' });
    const afterFailure = ((await list(owner.token, teen.id)).json().data.devices as ListedDevice[]).find(
      (device) => device.id === phone.deviceId,
    );
    expect(afterFailure).toMatchObject({
      lastBackupAt: ended.endedAt, // a failed backup is not a completed one
      runningBackup: false,
      lastBackup: {
        id: second.id,
        status: 'failed',
        error: 'Wi-Fi lost',
        endedAt: server.clock.now().toISOString(),
      },
    });
  });
});
