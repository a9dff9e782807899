import { parsePairingPayload } from '@iclood/pairing';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, openPairing, register } from './helper.js';
import { freshServerTest } from './server-test.js';

describe.each(databaseTargets)('pairing is safe ($label)', (target) => {
  const it = freshServerTest(target);

  it('expires after 10 minutes (by the clock), with the same error as a wrong code', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    server.clock.advance(10 * 60_000);
    const late = await register(app, { code: pairing.code });
    const wrong = await register(app, { code: 'BBBB-CCCC' });
    expect(late.statusCode).toBe(401);
    expect(late.json().error).toEqual(wrong.json().error);
    const status = await app.inject({ url: `/api/v1/pairing/${pairing.id}`, headers: bearer(owner) });
    expect(status.json().data.status).toBe('expired');
    const qr = await app.inject({ url: `/api/v1/pairing/${pairing.id}/qr.png`, headers: bearer(owner) });
    expect(qr.statusCode).toBe(409);
    expect(qr.json().error.code).toBe('PAIRING_CLOSED');
  });

  it('is single use: replaying the code or the secret fails', async ({ server, owner }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    const secret = parsePairingPayload(pairing.qrPayload).secret;
    expect((await register(app, { secret })).statusCode).toBe(201);
    expect((await register(app, { secret })).json().error.code).toBe('PAIRING_CODE_INVALID');
    expect((await register(app, { code: pairing.code })).json().error.code).toBe('PAIRING_CODE_INVALID');
  });

  it('lets only one of two simultaneous claims win', async ({ server, owner }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    const [a, b] = await Promise.all([
      register(app, { code: pairing.code, deviceName: 'A' }, '10.1.0.1'),
      register(app, { code: pairing.code, deviceName: 'B' }, '10.1.0.2'),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 401]);
    const devices = await app.inject({ url: '/api/v1/devices', headers: bearer(owner) });
    expect(devices.json().data.devices).toHaveLength(1);
  });

  it('needs exactly one of code and secret, and a signed-in user (not a device) to open a pairing', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    expect((await register(app, {})).json().error.code).toBe('VALIDATION_FAILED');
    expect((await register(app, { code: 'BBBB-BBBB', secret: 'x' })).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await app.inject({ method: 'POST', url: '/api/v1/pairing' })).statusCode).toBe(401);
    const { code } = await openPairing(app, owner);
    const deviceToken = (await register(app, { code })).json().data.token;
    const byDevice = await app.inject({
      method: 'POST',
      url: '/api/v1/pairing',
      headers: bearer(deviceToken),
    });
    expect(byDevice.statusCode).toBe(403);
    expect(byDevice.json().error.code).toBe('FORBIDDEN');
  });

  it('rate-limits register requests of any kind per address', async ({ server }) => {
    const { app } = server;
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push((await register(app, { secret: 'not-a-secret' }, '10.2.0.1')).statusCode);
    expect(codes.slice(0, 10).every((code) => code === 401)).toBe(true);
    expect(codes[10]).toBe(429);
    expect((await register(app, { secret: 'not-a-secret' }, '10.2.0.1')).json().error.code).toBe(
      'RATE_LIMITED',
    );
  });

  it('never logs a pairing code, secret or device token', async ({ server, owner }) => {
    const { app } = server;
    const pairing = await openPairing(app, owner);
    const secret = parsePairingPayload(pairing.qrPayload).secret;
    await register(app, { code: 'BBBB-BBBB' });
    const token = (await register(app, { secret })).json().data.token as string;
    await app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
    const logs = server.logs.join('\n');
    expect(logs).toContain('device paired');
    for (const value of [pairing.code, pairing.code.replace('-', ''), secret, token, owner]) {
      expect(logs).not.toContain(value);
    }
  });
});
