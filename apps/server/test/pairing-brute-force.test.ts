import { PAIRING_GUESS_BUDGET, parsePairingPayload } from '@iclood/pairing';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, openPairing, register } from './helper.js';
import { freshServerTest } from './server-test.js';

const WRONG_CODES = ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD', 'FFFF-FFFF', 'GGGG-GGGG'];
const WINDOW_SECONDS = PAIRING_GUESS_BUDGET.windowMs / 1000;

describe.each(databaseTargets)('guessing pairing codes ($label)', (target) => {
  const it = freshServerTest(target)
    .extend('statusOf', ({ server, owner }) => async (id: string) => {
      const response = await server.app.inject({
        url: `/api/v1/pairing/${id}`,
        headers: bearer(owner),
      });
      return response.json().data.status as string;
    })
    /** A pairing the owner opened before the test. */
    .extend('pairing', ({ server, owner }) => openPairing(server.app, owner));

  const secretOf = (qrPayload: string) => parsePairingPayload(qrPayload).secret;

  it('five wrong codes from one address do not cancel the pairing: the right code from another still pairs', async ({
    server,
    pairing,
    statusOf,
  }) => {
    const { app } = server;
    for (const code of WRONG_CODES.filter((code) => code !== pairing.code)) {
      const wrong = await register(app, { code }, '10.0.0.1');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('PAIRING_CODE_INVALID');
    }
    expect(await statusOf(pairing.id)).toBe('pending');
    const right = await register(app, { code: pairing.code }, '10.0.0.2');
    expect(right.statusCode, right.body).toBe(201);
    expect(await statusOf(pairing.id)).toBe('claimed');
  });

  it('refuses one address its guesses, unchecked, once its budget is spent, until the window ends', async ({
    server,
    owner,
    pairing,
    statusOf,
  }) => {
    const { app } = server;
    for (let i = 0; i < PAIRING_GUESS_BUDGET.perClient; i++) {
      expect((await register(app, { code: WRONG_CODES[i] }, '10.0.0.1')).statusCode).toBe(401);
    }
    const refused = await register(app, { code: 'HHHH-HHHH' }, '10.0.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('TOO_MANY_PAIRING_ATTEMPTS');
    expect(refused.headers['retry-after']).toBe(String(WINDOW_SECONDS));
    // Unchecked: even the right code is refused from there, and the pairing is left open.
    server.clock.advance(60_000);
    const rightButRefused = await register(app, { code: pairing.code }, '10.0.0.1');
    expect(rightButRefused.statusCode).toBe(429);
    expect(rightButRefused.headers['retry-after']).toBe(String(WINDOW_SECONDS - 60));
    expect(await statusOf(pairing.id)).toBe('pending');

    // Another address is not held up, and a QR secret never is.
    expect((await register(app, { code: 'HHHH-HHHH' }, '10.0.0.2')).statusCode).toBe(401);
    expect((await register(app, { secret: secretOf(pairing.qrPayload) }, '10.0.0.1')).statusCode).toBe(201);

    server.clock.advance(PAIRING_GUESS_BUDGET.windowMs - 60_000);
    const next = await openPairing(app, owner);
    expect((await register(app, { code: next.code }, '10.0.0.1')).statusCode).toBe(201);
  });

  it('checks no more wrong codes across the server than its budget, however many addresses send them', async ({
    server,
    owner,
    pairing,
    statusOf,
  }) => {
    const { app } = server;
    const addresses = PAIRING_GUESS_BUDGET.perServer / PAIRING_GUESS_BUDGET.perClient;
    for (let a = 0; a < addresses; a++) {
      for (const code of WRONG_CODES.slice(0, PAIRING_GUESS_BUDGET.perClient)) {
        const wrong = await register(app, { code }, `10.1.${Math.floor(a / 250)}.${a % 250}`);
        expect(wrong.statusCode).toBe(401);
      }
    }
    const capped = await register(app, { code: 'HHHH-HHHH' }, '10.2.0.1');
    expect(capped.statusCode).toBe(429);
    expect(capped.json().error.code).toBe('TOO_MANY_PAIRING_ATTEMPTS');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
    const rightButUnchecked = await register(app, { code: pairing.code }, '10.2.0.2');
    expect(rightButUnchecked.statusCode).toBe(429);
    expect(await statusOf(pairing.id)).toBe('pending');

    // The QR code still pairs while codes are refused.
    expect((await register(app, { secret: secretOf(pairing.qrPayload) }, '10.2.0.3')).statusCode).toBe(201);

    server.clock.advance(PAIRING_GUESS_BUDGET.windowMs);
    const next = await openPairing(app, owner);
    expect((await register(app, { code: next.code }, '10.2.0.2')).statusCode).toBe(201);
  });

  it('a right code does not spend the budget', async ({ server, owner }) => {
    const { app } = server;
    for (let i = 0; i < PAIRING_GUESS_BUDGET.perClient + 2; i++) {
      const { code } = await openPairing(app, owner);
      expect((await register(app, { code }, '10.0.0.1')).statusCode).toBe(201);
    }
    for (let i = 0; i < PAIRING_GUESS_BUDGET.perClient; i++) {
      expect((await register(app, { code: WRONG_CODES[i] }, '10.0.0.9')).statusCode).toBe(401);
    }
  });

  it('keeps at most the allowed number of pairings open at once, over all users', async ({
    server,
    owner,
  }) => {
    const { app } = server;
    const open = [];
    for (let i = 0; i < PAIRING_GUESS_BUDGET.maxOpenPairings; i++) open.push(await openPairing(app, owner));
    const oneMore = await app.inject({ method: 'POST', url: '/api/v1/pairing', headers: bearer(owner) });
    expect(oneMore.statusCode).toBe(409);
    expect(oneMore.json().error.code).toBe('TOO_MANY_OPEN_PAIRINGS');

    expect((await register(app, { code: open[0]!.code }, '10.0.0.1')).statusCode).toBe(201);
    await openPairing(app, owner);
    server.clock.advance(10 * 60_000);
    await openPairing(app, owner);
  });
});
