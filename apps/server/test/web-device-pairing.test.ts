import { parsePairingPayload } from '@iclood/pairing';
import type { App } from '../src/types.js';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, login, openPairing, register, uploadRaw, pngBytes } from './helper.js';
import { serverTest, freshServerTest } from './server-test.js';

let nextAddress = 0;
/** A new client address per call, so the per-address request limit of these routes stays out of the way. */
const someAddress = () => `10.16.${Math.floor(++nextAddress / 250)}.${(nextAddress % 250) + 1}`;

function preview(app: App, body: Record<string, unknown>, remoteAddress = someAddress()) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/register/preview', payload: body, remoteAddress });
}

/** Registers as the pairing page does; returns the response and the device cookie it set. */
async function registerWeb(app: App, body: Record<string, unknown>) {
  const response = await register(
    app,
    { platform: 'web', deviceName: 'Anna’s iPhone', ...body },
    someAddress(),
  );
  const cookie = response.cookies.find((c) => c.name === 'iclood_device');
  return { response, cookie };
}

/** Opens a pairing for `userId` (a member) as `sessionToken`, or for the caller; returns it with its secret. */
async function openFor(app: App, sessionToken: string, userId?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/pairing',
    headers: bearer(sessionToken),
    payload: userId ? { userId } : {},
  });
  expect(response.statusCode, response.body).toBe(201);
  const pairing = response.json().data as { id: string; code: string; qrPayload: string };
  return { ...pairing, secret: parsePairingPayload(pairing.qrPayload).secret };
}

const withCookie = (token: string) => ({ cookies: { iclood_device: token } });

describe.each(databaseTargets)('a browser pairs as a web device from the pairing link ($label)', (target) => {
  const it = serverTest(target, { member: 'anna' });

  it('previews the server and the member by secret or code, claiming nothing', async ({
    server,
    owner,
    member,
  }) => {
    const { app } = server;
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${member.id}`,
      headers: bearer(owner),
      payload: { displayName: 'Anna' },
    });
    const pairing = await openFor(app, owner, member.id);
    for (const body of [{ secret: pairing.secret }, { code: pairing.code.toLowerCase() }]) {
      const seen = await preview(app, body);
      expect(seen.statusCode, seen.body).toBe(200);
      const data = seen.json().data;
      expect(data.forUser).toEqual({ username: 'anna', displayName: 'Anna' });
      expect(data.server.id).toBe(app.identity.serverId);
      expect(data.server.name.length).toBeGreaterThan(0);
      expect(Date.parse(data.expiresAt)).toBeGreaterThan(app.now().getTime());
    }
    const status = await app.inject({ url: `/api/v1/pairing/${pairing.id}`, headers: bearer(owner) });
    expect(status.json().data.status).toBe('pending');
  });

  it('answers a wrong secret or code like a wrong registration, naming no part', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const pairing = await openFor(app, owner);
    const wrongSecret = `${pairing.secret.slice(0, -2)}${pairing.secret.endsWith('AA') ? 'BB' : 'AA'}`;
    const wrong = [
      await preview(app, { secret: wrongSecret }),
      await preview(app, { code: 'BBBB-CCCC' }),
      await preview(app, { code: 'not a code' }),
    ];
    const refusedRegistration = await register(app, { secret: wrongSecret }, someAddress());
    for (const response of wrong) {
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toEqual(refusedRegistration.json().error);
      expect(response.json().error.code).toBe('PAIRING_CODE_INVALID');
      expect(response.body).not.toContain(wrongSecret);
    }
    expect((await preview(app, {})).json().error.code).toBe('VALIDATION_FAILED');
    expect((await preview(app, { code: pairing.code, secret: pairing.secret })).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await preview(app, { secret: pairing.secret, extra: 1 })).statusCode).toBe(400);
  });

  it('registers a web device with upload, read and write, its token only in an httpOnly cookie', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const pairing = await openFor(app, owner);
    const { response, cookie } = await registerWeb(app, { secret: pairing.secret });
    expect(response.statusCode, response.body).toBe(201);
    const data = response.json().data;
    expect(data.token).toBeUndefined();
    expect(response.body).not.toContain(cookie!.value);
    expect(data.device).toMatchObject({ name: 'Anna’s iPhone', platform: 'web' });
    expect(data.device.scopes.sort()).toEqual(['media.read', 'media.upload', 'media.write']);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.secure).toBeFalsy(); // plain HTTP here; over HTTPS it is Secure
    expect(cookie!.maxAge).toBeGreaterThan(300 * 24 * 3600);

    const me = await app.inject({ url: '/api/v1/auth/me', ...withCookie(cookie!.value) });
    expect(me.statusCode).toBe(200);
    expect(me.json().data.auth).toMatchObject({ kind: 'device', id: data.device.id });
    expect(me.json().data.scopes.sort()).toEqual(['media.read', 'media.upload', 'media.write']);
    const status = await app.inject({ url: `/api/v1/pairing/${pairing.id}`, headers: bearer(owner) });
    expect(status.json().data).toMatchObject({
      status: 'claimed',
      device: { id: data.device.id, platform: 'web' },
    });

    // An app's registration still gets its token in the body, and no cookie.
    const forApp = await register(app, { code: (await openFor(app, owner)).code }, someAddress());
    expect(forApp.json().data.token).toEqual(expect.any(String));
    expect(forApp.cookies.find((c) => c.name === 'iclood_device')).toBeUndefined();
  });

  it('says a used or expired pairing is so, by secret only', async ({ server, owner }) => {
    const { app } = server;
    const used = await openFor(app, owner);
    expect((await registerWeb(app, { secret: used.secret })).response.statusCode).toBe(201);
    const again = await preview(app, { secret: used.secret });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('PAIRING_CLOSED');
    expect(again.json().error.message).toMatch(/already been used/);
    expect(again.json().error.details).toEqual([{ field: 'status', message: 'claimed' }]);
    const byCode = await preview(app, { code: used.code });
    expect(byCode.json().error.code).toBe('PAIRING_CODE_INVALID');
    expect((await registerWeb(app, { secret: used.secret })).response.json().error.code).toBe(
      'PAIRING_CODE_INVALID',
    );
  });

  it('pairs a member’s phone for that member only: their library, not the owner’s pairings or devices', async ({
    server,
    owner,
    member,
  }) => {
    const { app } = server;
    const ownerPhotoId = await uploadRaw(app, owner, 'owner.png', pngBytes(1601));
    const annaPhotoId = await uploadRaw(app, member.token, 'anna.png', pngBytes(1602));
    const ownersPhone = await registerWeb(app, { secret: (await openFor(app, owner)).secret });
    const pairing = await openFor(app, owner, member.id);
    const { response, cookie } = await registerWeb(app, { secret: pairing.secret });
    expect(response.json().data.device.userId ?? member.id).toBe(member.id);
    const jar = withCookie(cookie!.value);

    const me = await app.inject({ url: '/api/v1/auth/me', ...jar });
    expect(me.json().data.user.username).toBe('anna');
    const list = await app.inject({ url: '/api/v1/media/list', ...jar });
    const ids = (list.json().data.items as Array<{ id: string }>).map((item) => item.id);
    expect(ids).toContain(annaPhotoId);
    expect(ids).not.toContain(ownerPhotoId);
    expect((await app.inject({ url: `/api/v1/media/${ownerPhotoId}`, ...jar })).statusCode).toBe(404);

    const ownersDevice = ownersPhone.response.json().data.device.id as string;
    const removeOwners = await app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${ownersDevice}`,
      ...jar,
    });
    expect([403, 404]).toContain(removeOwners.statusCode);
    const ownerStill = await app.inject({ url: '/api/v1/auth/me', ...withCookie(ownersPhone.cookie!.value) });
    expect(ownerStill.statusCode).toBe(200);
    // A web device is a device: it opens no pairing and mints no tokens.
    expect((await app.inject({ method: 'POST', url: '/api/v1/pairing', ...jar })).statusCode).toBe(403);
    const mint = await app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      ...jar,
      payload: { name: 'x', platform: 'shortcuts', scopes: ['media.upload'] },
    });
    expect(mint.statusCode).toBe(403);
  });

  it('signs the browser out on its next request once the device is removed', async ({ server, owner }) => {
    const { app } = server;
    const { response, cookie } = await registerWeb(app, { secret: (await openFor(app, owner)).secret });
    const jar = withCookie(cookie!.value);
    expect((await app.inject({ url: '/api/v1/media/list', ...jar })).statusCode).toBe(200);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${response.json().data.device.id}`,
      headers: bearer(owner),
    });
    expect(removed.statusCode).toBe(200);
    const after = await app.inject({ url: '/api/v1/media/list', ...jar });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('TOKEN_REVOKED');
  });

  it('refuses a cross-site write with the device cookie, and takes a same-origin one', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const { response, cookie } = await registerWeb(app, { secret: (await openFor(app, owner)).secret });
    const deviceId = response.json().data.device.id as string;
    const rename = (origin: string, name: string) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/devices/${deviceId}`,
        headers: { origin, host: 'iclood.local:8080' },
        ...withCookie(cookie!.value),
        payload: { name },
      });
    const crossSite = await rename('https://evil.example', 'Hijacked');
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().error.code).toBe('CROSS_SITE_REQUEST');
    const sameOrigin = await rename('http://iclood.local:8080', 'Anna’s phone');
    expect(sameOrigin.statusCode, sameOrigin.body).toBe(200);
    const me = await app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    const names = (me.json().data.devices as Array<{ id: string; name: string }>).map((d) => d.name);
    expect(names).toContain('Anna’s phone');
    expect(names).not.toContain('Hijacked');
  });

  it('takes only a device token in the device cookie, and signs out by clearing it', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const sessionToken = (await login(app, 'owner', 'correct horse battery staple')).json().data
      .token as string;
    const sessionInDeviceCookie = await app.inject({ url: '/api/v1/auth/me', ...withCookie(sessionToken) });
    expect(sessionInDeviceCookie.statusCode).toBe(401);
    expect(sessionInDeviceCookie.json().error.code).toBe('TOKEN_INVALID');

    const { cookie } = await registerWeb(app, { secret: (await openFor(app, owner)).secret });
    const out = await app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      ...withCookie(cookie!.value),
    });
    expect(out.statusCode).toBe(200);
    expect(out.json().data.revoked).toBe(true);
    const cleared = out.cookies.find((c) => c.name === 'iclood_device');
    expect(cleared?.value).toBe('');
    expect((await app.inject({ url: '/api/v1/auth/me', ...withCookie(cookie!.value) })).statusCode).toBe(401);
  });
});

describe.each(databaseTargets)('the pairing preview, over time and under guessing ($label)', (target) => {
  const it = freshServerTest(target);

  it('says an expired pairing has expired (by secret), and refuses it by code', async ({ server, owner }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    const secret = parsePairingPayload(pairing.qrPayload).secret;
    server.clock.advance(10 * 60_000);
    const late = await preview(app, { secret });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({
      code: 'PAIRING_CLOSED',
      message: expect.stringMatching(/expired/),
      details: [{ field: 'status', message: 'expired' }],
    });
    expect((await preview(app, { code: pairing.code })).json().error.code).toBe('PAIRING_CODE_INVALID');
    expect((await registerWeb(app, { secret })).response.json().error.code).toBe('PAIRING_CODE_INVALID');
  });

  it('counts wrong codes against the registration guess budget, and never holds up a secret', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    const address = '10.99.0.1';
    for (let i = 0; i < 5; i++) {
      expect((await preview(app, { code: 'BBBB-CCCC' }, address)).statusCode).toBe(401);
    }
    const sixth = await register(app, { code: pairing.code }, address);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('TOO_MANY_PAIRING_ATTEMPTS');
    const previewed = await preview(app, { code: pairing.code }, address);
    expect(previewed.statusCode).toBe(429);
    expect(previewed.headers['retry-after']).toBeDefined();
    const bySecret = await preview(app, { secret: parsePairingPayload(pairing.qrPayload).secret }, address);
    expect(bySecret.statusCode).toBe(200);
  });
});
