import { afterEach, describe, expect, it } from 'vitest';
import { bearer, databaseTargets, OWNER, startTestServer, type TestServer } from './helper.js';

describe.each(databaseTargets)('first-run setup ($label)', (target) => {
  let server: TestServer;
  afterEach(() => server.close());

  it('creates the owner once, signs them in, then refuses with 409 SETUP_ALREADY_DONE', async () => {
    server = await startTestServer(target);
    const { app } = server;
    expect((await app.inject({ url: '/api/v1/setup' })).json().data).toEqual({ needed: true });

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...OWNER, displayName: 'The Owner' },
    });
    expect(created.statusCode).toBe(201);
    const result = created.json().data;
    expect(result.user).toMatchObject({ username: 'owner', role: 'owner', displayName: 'The Owner' });
    expect(created.cookies.find((c) => c.name === 'iclood_session')?.value).toBe(result.token);

    const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(result.token) });
    expect(me.json().data.scopes).toEqual(['media.upload', 'media.read', 'media.write', 'admin']);

    expect((await app.inject({ url: '/api/v1/setup' })).json().data).toEqual({ needed: false });
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { username: 'intruder', password: 'another password' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SETUP_ALREADY_DONE');
  });

  it('lets exactly one of two simultaneous setups win', async () => {
    server = await startTestServer(target);
    const [a, b] = await Promise.all([
      server.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { username: 'alice', password: 'password-a' },
      }),
      server.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { username: 'bob', password: 'password-b' },
      }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const users = await server.database.db.selectFrom('users').select(['username', 'role']).execute();
    expect(users).toHaveLength(1);
    expect(users[0]!.role).toBe('owner');
  });

  it('rejects a weak password or an odd username with VALIDATION_FAILED and creates nothing', async () => {
    server = await startTestServer(target);
    for (const payload of [
      { username: 'owner', password: 'short' },
      { username: '../etc', password: 'long enough password' },
      { username: 'owner', password: 'long enough password', role: 'admin' },
    ]) {
      const response = await server.app.inject({ method: 'POST', url: '/api/v1/setup', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await server.app.inject({ url: '/api/v1/setup' })).json().data.needed).toBe(true);
  });

  it('creates the owner from ICLOOD_ADMIN_USERNAME/PASSWORD at start, and only when no user exists', async () => {
    server = await startTestServer(target, {
      ICLOOD_ADMIN_USERNAME: 'admin',
      ICLOOD_ADMIN_PASSWORD: 'headless-setup-password',
    });
    expect((await server.app.inject({ url: '/api/v1/setup' })).json().data.needed).toBe(false);
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'headless-setup-password' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().data.user.role).toBe('owner');
    const stored = await server.database.db
      .selectFrom('users')
      .select('password_hash')
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored.password_hash).not.toContain('headless-setup-password');
  });
});
