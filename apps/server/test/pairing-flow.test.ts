import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { parsePairingPayload } from '@iclood/pairing';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, login, openPairing, register } from './helper.js';
import { serverTest } from './server-test.js';

// jsqr is CommonJS: under NodeNext its callable decoder is the `default` property.
const jsQR = jsQRModule.default;

// The "done when": from a fresh start, owner → pairing → QR decoded → register → use → revoke → refused.
describe.each(databaseTargets)('pairing a phone end to end ($label)', (target) => {
  const it = serverTest(target, {
    env: { ICLOOD_ADMIN_USERNAME: 'owner', ICLOOD_ADMIN_PASSWORD: 'owner-password' },
    owner: false,
  });

  it.for(['secret', 'code'] as const)(
    'works with the QR secret or the manual code (%s)',
    async (via, { server }) => {
      const { app } = server;
      const ownerToken = (await login(app, 'owner', 'owner-password')).json().data.token as string;
      const pairing = await openPairing(app, ownerToken);
      expect(pairing.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      expect(new Date(pairing.expiresAt).getTime()).toBe(server.clock.now().getTime() + 10 * 60_000);

      const png = await app.inject({
        url: `/api/v1/pairing/${pairing.id}/qr.png`,
        headers: bearer(ownerToken),
      });
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      const image = PNG.sync.read(png.rawPayload);
      const decoded = jsQR(Uint8ClampedArray.from(image.data), image.width, image.height);
      expect(decoded?.data).toBe(pairing.qrPayload);
      const payload = parsePairingPayload(decoded!.data);
      expect(payload.serverId).toBe((await app.inject({ url: '/ping' })).json().data.serverId);
      expect(payload.code).toBe(pairing.code.replace('-', ''));
      expect(payload.urls.length).toBeGreaterThan(0);

      const svg = await app.inject({
        url: `/api/v1/pairing/${pairing.id}/qr.svg`,
        headers: bearer(ownerToken),
      });
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(svg.body).toContain('<svg');

      const registered = await register(app, {
        ...(via === 'secret' ? { secret: payload.secret } : { code: pairing.code.toLowerCase() }),
        deviceName: `Anna's iPhone (${via})`,
      });
      expect(registered.statusCode).toBe(201);
      const { device, token, server: info } = registered.json().data;
      expect(device).toMatchObject({ name: `Anna's iPhone (${via})`, platform: 'ios', current: true });
      expect(device.scopes).toEqual(['media.upload', 'media.read', 'media.write']);
      expect(info.id).toBe(payload.serverId);

      const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
      expect(me.json().data).toMatchObject({
        user: { username: 'owner' },
        auth: { kind: 'device', id: device.id },
      });
      const status = await app.inject({ url: `/api/v1/pairing/${pairing.id}`, headers: bearer(ownerToken) });
      expect(status.json().data).toMatchObject({ status: 'claimed', device: { id: device.id } });

      const revoked = await app.inject({
        method: 'DELETE',
        url: `/api/v1/devices/${device.id}`,
        headers: bearer(ownerToken),
      });
      expect(revoked.statusCode).toBe(200);
      const refused = await app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('TOKEN_REVOKED');
    },
  );
});
