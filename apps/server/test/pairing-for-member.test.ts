import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { bearer, databaseTargets, filesUnder, openPairing, register } from './helper.js';
import { serverTest, type Member } from './server-test.js';

describe.each(databaseTargets)('an owner pairs a member’s phone ($label)', (target) => {
  let ownerId: string;
  let kid: Member;
  const it = serverTest(target, {
    async seed({ server, owner }) {
      const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(owner) });
      ownerId = me.json().data.user.id;
      const created = await server.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(owner),
        payload: { username: 'kid', password: 'kid-password', displayName: 'Kid' },
      });
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'kid', password: 'kid-password' },
      });
      kid = { id: created.json().data.user.id, token: login.json().data.token };
    },
  }).extend(
    'openFor',
    ({ server }) =>
      (token: string, payload?: object) =>
        server.app.inject({
          method: 'POST',
          url: '/api/v1/pairing',
          headers: bearer(token),
          ...(payload ? { payload } : {}),
        }),
  );

  it('the phone is the member’s: listed as theirs, and its uploads land in their library', async ({
    server,
    owner,
    openFor,
    upload,
  }) => {
    const opened = await openFor(owner, { userId: kid.id });
    expect(opened.statusCode).toBe(201);
    const pairing = opened.json().data;
    expect(pairing).toMatchObject({
      userId: kid.id,
      forUser: { id: kid.id, username: 'kid', displayName: 'Kid' },
    });

    // Whoever opened it watches it; the member it is for does not see the owner's pairing.
    const status = await server.app.inject({
      url: `/api/v1/pairing/${pairing.id}`,
      headers: bearer(owner),
    });
    expect(status.json().data).toMatchObject({ status: 'pending', device: null });
    const qr = await server.app.inject({
      url: `/api/v1/pairing/${pairing.id}/qr.svg`,
      headers: bearer(owner),
    });
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(
      (await server.app.inject({ url: `/api/v1/pairing/${pairing.id}/qr.png`, headers: bearer(owner) }))
        .statusCode,
    ).toBe(200);
    for (const url of [`/api/v1/pairing/${pairing.id}`, `/api/v1/pairing/${pairing.id}/qr.svg`]) {
      expect((await server.app.inject({ url, headers: bearer(kid.token) })).statusCode, url).toBe(404);
    }

    const registered = await register(server.app, { code: pairing.code, deviceName: 'Kid’s iPhone' });
    expect(registered.statusCode).toBe(201);
    const { device, token } = registered.json().data;
    expect(device).toMatchObject({ userId: kid.id, name: 'Kid’s iPhone', current: true });
    const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
    expect(me.json().data.user.id).toBe(kid.id);

    const claimed = await server.app.inject({
      url: `/api/v1/pairing/${pairing.id}`,
      headers: bearer(owner),
    });
    expect(claimed.json().data).toMatchObject({
      status: 'claimed',
      device: { id: device.id, userId: kid.id },
    });
    const kidDevices = await server.app.inject({ url: '/api/v1/devices', headers: bearer(kid.token) });
    expect(kidDevices.json().data.devices.map((d: { id: string }) => d.id)).toEqual([device.id]);
    const ownerDevices = await server.app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    expect(ownerDevices.json().data.devices.map((d: { id: string }) => d.id)).not.toContain(device.id);

    // A phone photo's worth of bytes, uploaded with the new token.
    const photo = await noiseJpeg(2800, 2100);
    expect(photo.length).toBeGreaterThan(4_000_000);
    const id = await upload(token, 'IMG_4001.JPG', photo, '2026-07-14T09:30:00Z');
    const asKid = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(kid.token) });
    expect(asKid.json().data).toMatchObject({
      deviceId: device.id,
      relPath: 'kid/2026/07/IMG_4001.JPG',
      size: photo.length,
    });
    expect((await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) })).statusCode).toBe(
      404,
    );
    expect(await filesUnder(server.config.libraryDir)).toContain('kid/2026/07/IMG_4001.JPG');
  });

  it('a member may name only themselves; an unknown user is 404, a malformed id 400', async ({
    server,
    owner,
    openFor,
  }) => {
    const forOwner = await openFor(kid.token, { userId: ownerId });
    expect(forOwner.statusCode).toBe(403);
    expect(forOwner.json().error.code).toBe('FORBIDDEN');
    const unknownAsMember = await openFor(kid.token, { userId: randomUUID() });
    expect(unknownAsMember.statusCode).toBe(403);

    const self = await openFor(kid.token, { userId: kid.id });
    expect(self.statusCode).toBe(201);
    expect(self.json().data).toMatchObject({ userId: kid.id, forUser: { username: 'kid' } });
    const noBody = await openPairing(server.app, kid.token);
    expect(noBody).toMatchObject({ userId: kid.id, forUser: { id: kid.id, displayName: 'Kid' } });

    const unknown = await openFor(owner, { userId: randomUUID() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    for (const payload of [{ userId: 'kid' }, { userId: kid.id, extra: true }]) {
      const bad = await openFor(owner, payload);
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('a used code still tells the phone to open a new pairing on the dashboard', async ({
    server,
    owner,
    openFor,
  }) => {
    const { code } = (await openFor(owner, { userId: kid.id })).json().data;
    expect((await register(server.app, { code })).statusCode).toBe(201);
    const again = await register(server.app, { code });
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({ code: 'PAIRING_CODE_INVALID' });
    expect(again.json().error.message).toContain('Open a new pairing on the dashboard');
  });
  it('an admin pairs for members only: the owner and other admins pair their own phones', async ({
    server,
    owner,
    openFor,
  }) => {
    const promote = async (username: string) => {
      const made = await server.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(owner),
        payload: { username, password: `${username}-password`, role: 'admin' },
      });
      expect(made.statusCode).toBe(201);
      const signedIn = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: `${username}-password` },
      });
      return { id: made.json().data.user.id as string, token: signedIn.json().data.token as string };
    };
    const admin = await promote('helper');
    const otherAdmin = await promote('second');
    const forKid = await openFor(admin.token, { userId: kid.id });
    expect(forKid.statusCode).toBe(201);
    expect(forKid.json().data.forUser.username).toBe('kid');
    for (const target of [ownerId, otherAdmin.id]) {
      const refused = await openFor(admin.token, { userId: target });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('FORBIDDEN');
    }
    expect((await openFor(owner, { userId: admin.id })).statusCode).toBe(201);
  });
});
