import { describe, expect, it } from 'vitest';

import { PAIRING_GUESS_BUDGET, PAIRING_TTL_MS, chanceOfGuessingAnOpenCode } from '../src/index.js';

describe('the budget of pairing-code guesses', () => {
  it('keeps the chance of guessing any open code during its life below one in a million', () => {
    expect(chanceOfGuessingAnOpenCode()).toBeLessThan(1e-6);
    expect(chanceOfGuessingAnOpenCode()).toBeCloseTo((2 * 300 * 20) / 20 ** 8, 15);
  });

  it('counts every window a code life can overlap, so shorter windows do not hide guesses', () => {
    const perMinute = { ...PAIRING_GUESS_BUDGET, windowMs: PAIRING_TTL_MS / 10 };
    expect(chanceOfGuessingAnOpenCode(perMinute)).toBeCloseTo((11 * 300 * 20) / 20 ** 8, 15);
    expect(chanceOfGuessingAnOpenCode({ ...PAIRING_GUESS_BUDGET, perServer: 1000 })).toBeGreaterThan(1e-6);
  });

  it('gives one client far fewer guesses than the server as a whole', () => {
    expect(PAIRING_GUESS_BUDGET.perClient).toBeLessThan(PAIRING_GUESS_BUDGET.perServer);
  });
});
