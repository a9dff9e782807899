import { describe, expect } from 'vitest';
import { databaseTargets, login, OWNER } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('login rate limit ($label)', (target) => {
  // Setup counts against the same per-route budget only for /setup; login has its own.
  const it = serverTest(target, { options: { loginRateLimit: { max: 5, timeWindowMs: 60_000 } } });

  it('answers 429 RATE_LIMITED after too many attempts from one address, even with the right password', async ({
    server,
  }) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await login(server.app, OWNER.username, `wrong-${attempt}`)).statusCode).toBe(401);
    }
    const limited = await login(server.app, OWNER.username, OWNER.password);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 'error', error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts per client address', async ({ server }) => {
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: OWNER,
      remoteAddress: '10.9.8.7',
    });
    expect(other.statusCode).toBe(200);
  });
});

describe('login rate limit default', () => {
  const it = serverTest(databaseTargets[0]!, { owner: false });

  it('allows 10 attempts a minute', async ({ server }) => {
    const codes: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) codes.push((await login(server.app, 'x', 'y')).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(codes[10]).toBe(429);
  });
});

describe('login rate limit from ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE', () => {
  const it = serverTest(databaseTargets[0]!, {
    owner: false,
    env: { ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE: '3' },
  });

  it('allows that many attempts a minute', async ({ server }) => {
    const codes: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) codes.push((await login(server.app, 'x', 'y')).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
  });
});
