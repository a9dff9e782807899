import { describe, expect, it } from 'vitest';

import {
  formatPairingCode,
  hashPairingValue,
  newPairingCredentials,
  normalizePairingCode,
} from '../src/index.js';

describe('pairing credentials', () => {
  it('are a canonical code and a 32-byte secret with their SHA-256 hashes', () => {
    const credentials = newPairingCredentials();
    expect(credentials.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    expect(credentials.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(credentials.secret, 'base64url')).toHaveLength(32);
    expect(credentials.codeHash).toBe(hashPairingValue(credentials.code));
    expect(credentials.secretHash).toBe(hashPairingValue(credentials.secret));
    expect(credentials.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hash what a person types to the stored hash once normalized', () => {
    const { code, codeHash } = newPairingCredentials();
    for (const typed of [code, code.toLowerCase(), formatPairingCode(code), ` ${formatPairingCode(code)} `]) {
      expect(hashPairingValue(normalizePairingCode(typed)!)).toBe(codeHash);
    }
  });

  it('come from the injected random source, and differ between calls', () => {
    const fixed = (size: number) => Buffer.alloc(size, 7);
    expect(newPairingCredentials(fixed)).toEqual(newPairingCredentials(fixed));
    // Byte 7 is the eighth letter of the alphabet.
    expect(newPairingCredentials(fixed).code).toBe('KKKKKKKK');
    expect(newPairingCredentials(fixed).secret).toBe(Buffer.alloc(32, 7).toString('base64url'));
    const a = newPairingCredentials();
    const b = newPairingCredentials();
    expect(a.secret).not.toBe(b.secret);
    expect(a.secretHash).not.toBe(b.secretHash);
  });
});
