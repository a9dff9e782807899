import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, login, OWNER, pairPhone } from './helper.js';
import { freshServerTest, serverTest } from './server-test.js';

describe.each(databaseTargets)('changing your own password ($label)', (target) => {
  const it = serverTest(target, { options: { loginRateLimit: { max: 1000, timeWindowMs: 60_000 } } })
    .extend(
      'changePassword',
      ({ server }) =>
        (token: string, currentPassword: string, newPassword: string, remoteAddress?: string) =>
          server.app.inject({
            method: 'POST',
            url: '/api/v1/auth/password',
            headers: bearer(token),
            payload: { currentPassword, newPassword },
            ...(remoteAddress ? { remoteAddress } : {}),
          }),
    )
    .extend(
      'status',
      ({ server }) =>
        async (token: string) =>
          (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode,
    );

  it('refuses a wrong current password with 403 WRONG_CURRENT_PASSWORD and changes nothing', async ({
    server,
    owner,
    changePassword,
    status,
  }) => {
    const member = await addMember(server.app, owner, 'ada', 'ada-password');
    const refused = await changePassword(member.token, 'not-my-password', 'a new password', '10.0.0.1');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'WRONG_CURRENT_PASSWORD',
      message: 'The current password is not right',
    });
    expect(await status(member.token)).toBe(200);
    expect((await login(server.app, 'ada', 'ada-password')).statusCode).toBe(200);
    expect((await login(server.app, 'ada', 'a new password')).statusCode).toBe(401);
    // Neither password reaches the log.
    expect(server.logs.join('\n')).not.toMatch(/not-my-password|a new password/);
  });

  it('keeps this session, ends the other sign-ins, and leaves paired devices working', async ({
    server,
    owner,
    changePassword,
    status,
  }) => {
    const member = await addMember(server.app, owner, 'bob', 'bob-password');
    const laptop = (await login(server.app, 'bob', 'bob-password')).json().data.token as string;
    const cli = (await login(server.app, 'bob', 'bob-password')).json().data.token as string;
    const phone = await pairPhone(server.app, member.token);

    const changed = await changePassword(member.token, 'bob-password', 'bob-new-password', '10.0.0.2');
    expect(changed.statusCode).toBe(200);
    expect(changed.json().data).toEqual({ revokedSessions: 2 });

    expect(await status(member.token)).toBe(200);
    for (const ended of [laptop, cli]) {
      const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(ended) });
      expect(me.json().error.code).toBe('TOKEN_REVOKED');
    }
    expect(await status(phone.token)).toBe(200);
    const upload = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/check',
      headers: bearer(phone.token),
      payload: { items: [{ key: 'a', sha256: 'a'.repeat(64) }] },
    });
    expect(upload.statusCode).toBe(200);

    expect((await login(server.app, 'bob', 'bob-password')).statusCode).toBe(401);
    expect((await login(server.app, 'bob', 'bob-new-password')).statusCode).toBe(200);
    // Someone else's sessions are untouched.
    expect(await status(owner)).toBe(200);
  });

  it('is for signed-in users: a device token is refused, and the new password must be a valid one', async ({
    server,
    owner,
    changePassword,
  }) => {
    const phone = await pairPhone(server.app, owner);
    const fromPhone = await changePassword(phone.token, OWNER.password, 'something new', '10.0.0.3');
    expect(fromPhone.statusCode).toBe(403);
    expect(fromPhone.json().error.code).toBe('FORBIDDEN');
    const short = await changePassword(owner, OWNER.password, 'short', '10.0.0.3');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('VALIDATION_FAILED');
  });

  const limitedServerTest = freshServerTest(target, {
    options: { loginRateLimit: { max: 5, timeWindowMs: 60_000 } },
  });
  limitedServerTest(
    'limits attempts per address like sign-ins: 429 RATE_LIMITED, even with the right password',
    async ({ server: limitedServer, owner: token }) => {
      const attempt = (currentPassword: string, remoteAddress: string) =>
        limitedServer.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password',
          headers: bearer(token),
          payload: { currentPassword, newPassword: 'the new password' },
          remoteAddress,
        });
      for (let guess = 1; guess <= 5; guess++) {
        expect((await attempt(`guess-${guess}`, '10.0.0.9')).statusCode).toBe(403);
      }
      const limited = await attempt(OWNER.password, '10.0.0.9');
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Counted per address.
      expect((await attempt(OWNER.password, '10.0.0.10')).statusCode).toBe(200);
      expect((await login(limitedServer.app, OWNER.username, 'the new password')).statusCode).toBe(200);
    },
  );
});

describe.each(databaseTargets)('signing out everywhere else ($label)', (target) => {
  const it = serverTest(target);

  it("ends the caller's other sessions only: not this one, not devices, not other people's", async ({
    server,
    owner,
  }) => {
    const member = await addMember(server.app, owner, 'dina', 'dina-password');
    const other = (await login(server.app, 'dina', 'dina-password')).json().data.token as string;
    const phone = await pairPhone(server.app, member.token);
    const ownerElsewhere = (await login(server.app, OWNER.username, OWNER.password)).json().data
      .token as string;

    const revoke = (token: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sessions/revoke-others',
        headers: bearer(token),
      });
    const revoked = await revoke(member.token);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().data).toEqual({ revoked: 1 });

    const me = (token: string) => server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
    expect((await me(member.token)).statusCode).toBe(200);
    expect((await me(other)).json().error.code).toBe('TOKEN_REVOKED');
    expect((await me(phone.token)).statusCode).toBe(200);
    expect((await me(ownerElsewhere)).statusCode).toBe(200);
    // Nothing left to end; a device token cannot call it.
    expect((await revoke(member.token)).json().data).toEqual({ revoked: 0 });
    expect((await revoke(phone.token)).json().error.code).toBe('FORBIDDEN');
  });
});
