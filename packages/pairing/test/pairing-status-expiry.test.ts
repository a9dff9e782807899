import { describe, expect, it } from 'vitest';

import { PAIRING_TTL_MS, effectivePairingStatus, type PairingStatus } from '../src/index.js';

const CREATED = new Date('2030-05-01T12:00:00.000Z');
const EXPIRES = new Date(CREATED.getTime() + PAIRING_TTL_MS);
const at = (ms: number): Date => new Date(EXPIRES.getTime() + ms);

describe('effective pairing status', () => {
  it('lives 10 minutes', () => {
    expect(PAIRING_TTL_MS).toBe(600_000);
  });

  it('is pending until the last millisecond and expired from the expiry instant on', () => {
    const session = { status: 'pending' as const, expires_at: EXPIRES };
    expect(effectivePairingStatus(session, CREATED)).toBe('pending');
    expect(effectivePairingStatus(session, at(-1))).toBe('pending');
    expect(effectivePairingStatus(session, at(0))).toBe('expired');
    expect(effectivePairingStatus(session, at(1))).toBe('expired');
  });

  it('keeps a closed status after expiry', () => {
    for (const status of ['claimed', 'burned', 'expired'] satisfies PairingStatus[]) {
      expect(effectivePairingStatus({ status, expires_at: EXPIRES }, at(-1))).toBe(status);
      expect(effectivePairingStatus({ status, expires_at: EXPIRES }, at(60_000))).toBe(status);
    }
  });
});
