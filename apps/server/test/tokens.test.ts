import { createHmac } from 'node:crypto';
import { describe, expect } from 'vitest';
import { hashPassword } from '../src/services/accounts/passwords.js';
import { bearer, databaseTargets, login, OWNER } from './helper.js';
import { serverTest } from './server-test.js';

/** An HS256 JWT signed with any key, built by hand. */
function signHs256(payload: object, key: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

describe.each(databaseTargets)('tokens ($label)', (target) => {
  const it = serverTest(target)
    .extend(
      'me',
      ({ server }) =>
        (headers: Record<string, string>, cookies?: Record<string, string>) =>
          server.app.inject({ url: '/api/v1/auth/me', headers, ...(cookies ? { cookies } : {}) }),
    )
    .extend(
      'freshToken',
      ({ server }) =>
        async () =>
          (await login(server.app, OWNER.username, OWNER.password)).json().data.token as string,
    );

  it('refuses garbage with 401 TOKEN_INVALID', async ({ me }) => {
    for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      const response = await me(bearer(token));
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('TOKEN_INVALID');
    }
  });

  it('refuses a malformed Authorization header', async ({ me }) => {
    const response = await me({ authorization: 'Basic b3duZXI6cHc=' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_INVALID');
  });

  it('refuses a well-formed token signed with another key', async ({ me, freshToken }) => {
    const { id: sessionId } = (await me(bearer(await freshToken()))).json().data.auth;
    const { id: userId } = (await me(bearer(await freshToken()))).json().data.user;
    const forged = signHs256({ sub: userId, typ: 'session', sid: sessionId }, 'not-the-server-secret');
    const response = await me(bearer(forged));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_INVALID');
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED', async ({ server, me, freshToken }) => {
    const token = await freshToken();
    expect((await me(bearer(token))).statusCode).toBe(200);
    server.clock.advance(30 * 24 * 3600 * 1000 + 1000);
    try {
      const response = await me(bearer(token));
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('TOKEN_EXPIRED');
    } finally {
      server.clock.advance(-(30 * 24 * 3600 * 1000 + 1000));
    }
  });

  it('logout revokes the token on the very next request, and clears the cookie', async ({
    server,
    me,
    freshToken,
  }) => {
    const token = await freshToken();
    const other = await freshToken();
    const out = await server.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      headers: bearer(token),
    });
    expect(out.statusCode).toBe(200);
    expect(out.json().data).toEqual({ revoked: true });
    expect(String(out.headers['set-cookie'])).toMatch(/iclood_session=;.*Expires=Thu, 01 Jan 1970/);

    const after = await me(bearer(token));
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('TOKEN_REVOKED');
    expect((await me(bearer(other))).statusCode).toBe(200); // other sessions live on
  });

  it('logout through the session cookie works the same', async ({ server, me, freshToken }) => {
    const token = await freshToken();
    const out = await server.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      cookies: { iclood_session: token },
      headers: { origin: 'http://localhost:80', host: 'localhost:80' },
    });
    expect(out.statusCode).toBe(200);
    expect((await me({}, { iclood_session: token })).json().error.code).toBe('TOKEN_REVOKED');
  });

  it('refuses a cookie-borne write from another origin with 403 CROSS_SITE_REQUEST', async ({
    server,
    me,
    freshToken,
  }) => {
    const token = await freshToken();
    const response = await server.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/logout',
      cookies: { iclood_session: token },
      headers: { origin: 'https://evil.example', host: 'iclood.local:8080' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CROSS_SITE_REQUEST');
    expect((await me(bearer(token))).statusCode).toBe(200);
  });

  it('a validly signed token naming no session row is refused', async ({ server, me, freshToken }) => {
    const { id: userId } = (await me(bearer(await freshToken()))).json().data.user;
    const token = server.app.jwt.sign({
      sub: userId,
      typ: 'session',
      sid: '00000000-0000-4000-8000-000000000001',
    });
    const response = await me(bearer(token));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_REVOKED');
  });

  it("a session's token stops working once its user is deleted", async ({ server, me }) => {
    const memberToken = await (async () => {
      await server.database.db
        .insertInto('users')
        .values({
          username: 'member1',
          library_folder: 'member1',
          password_hash: await hashPassword('member password'),
          role: 'member',
        })
        .execute();
      return (await login(server.app, 'member1', 'member password')).json().data.token as string;
    })();
    const ok = await me(bearer(memberToken));
    expect(ok.json().data.scopes).toEqual(['media.upload', 'media.read', 'media.write']);
    await server.database.db.deleteFrom('users').where('username', '=', 'member1').execute();
    const response = await me(bearer(memberToken));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_REVOKED');
  });
});
