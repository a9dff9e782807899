import { parsePairingPayload } from '@iclood/pairing';
import { describe, expect } from 'vitest';
import { databaseTargets, login } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('logs never hold secrets ($label)', (target) => {
  const it = serverTest(target, {
    env: { LOG_LEVEL: 'trace', ICLOOD_ADMIN_USERNAME: 'admin', ICLOOD_ADMIN_PASSWORD: 'bootstrap-secret-pw' },
    owner: false,
  });

  it('passwords, tokens and cookies do not appear in any log line', async ({ server }) => {
    const { app } = server;
    const token = (await login(app, 'admin', 'bootstrap-secret-pw')).json().data.token as string;
    await login(app, 'admin', 'wrong-secret-pw');
    await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    await app.inject({ url: '/api/v1/auth/me', cookies: { iclood_session: token } });
    await app.inject({ url: `/api/v1/auth/me?token=${token}` });
    app.log.info({ password: 'direct-secret-pw', user: { token } }, 'a careless log call');

    // A browser paired as a web device: the QR secret, and the device token in its cookie.
    const pairing = await app.inject({
      method: 'POST',
      url: '/api/v1/pairing',
      headers: { authorization: `Bearer ${token}` },
    });
    const pairingSecret = parsePairingPayload(pairing.json().data.qrPayload).secret;
    const body = { secret: pairingSecret };
    await app.inject({ method: 'POST', url: '/api/v1/auth/register/preview', payload: body });
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { ...body, deviceName: 'Web', platform: 'web' },
    });
    const deviceToken = registered.cookies.find((cookie) => cookie.name === 'iclood_device')!.value;
    await app.inject({ url: '/api/v1/media/list', cookies: { iclood_device: deviceToken } });
    await app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      cookies: { iclood_device: deviceToken },
    });

    const logs = server.logs.join('\n');
    expect(server.logs.length).toBeGreaterThan(5);
    for (const secret of [
      'bootstrap-secret-pw',
      'wrong-secret-pw',
      'direct-secret-pw',
      token,
      token.split('.')[2]!,
      pairingSecret,
      deviceToken,
      deviceToken.split('.')[2]!,
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).toContain('[redacted]');
    expect(logs).toContain('login failed');
    expect(logs).toContain('device paired');
  });
});
