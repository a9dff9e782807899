import { describe, expect } from 'vitest';
import { bearer, databaseTargets, login, OWNER } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('login ($label)', (target) => {
  const it = serverTest(target);

  it('answers a token and an httpOnly, SameSite=Strict session cookie', async ({ server }) => {
    const response = await login(server.app, OWNER.username, OWNER.password);
    expect(response.statusCode).toBe(200);
    const { token, tokenType, expiresAt, user } = response.json().data;
    expect(tokenType).toBe('Bearer');
    expect(user.username).toBe('owner');
    expect(new Date(expiresAt).getTime()).toBe(server.clock.now().getTime() + 30 * 24 * 3600 * 1000);
    const cookie = response.cookies.find((c) => c.name === 'iclood_session')!;
    expect(cookie).toMatchObject({ value: token, httpOnly: true, sameSite: 'Strict', path: '/' });
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
  });

  it('accepts the username in any case', async ({ server }) => {
    expect((await login(server.app, 'OWNER', OWNER.password)).statusCode).toBe(200);
  });

  it('says the same 401 INVALID_CREDENTIALS for a wrong password and an unknown user', async ({ server }) => {
    const wrong = await login(server.app, OWNER.username, 'not the password');
    const unknown = await login(server.app, 'nobody', OWNER.password);
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toEqual({
        code: 'INVALID_CREDENTIALS',
        message: 'Wrong username or password',
      });
      expect(response.cookies).toHaveLength(0);
    }
  });

  it('the cookie alone authenticates the dashboard', async ({ server }) => {
    const token = (await login(server.app, OWNER.username, OWNER.password)).json().data.token;
    const me = await server.app.inject({ url: '/api/v1/auth/me', cookies: { iclood_session: token } });
    expect(me.statusCode).toBe(200);
    expect(me.json().data).toMatchObject({ user: { username: 'owner' }, auth: { kind: 'session' } });
  });

  it('each login is its own session', async ({ server }) => {
    const a = (await login(server.app, OWNER.username, OWNER.password)).json().data.token;
    const b = (await login(server.app, OWNER.username, OWNER.password)).json().data.token;
    const idA = (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(a) })).json().data.auth.id;
    const idB = (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(b) })).json().data.auth.id;
    expect(idA).not.toBe(idB);
  });
});
