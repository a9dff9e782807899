import { describe, expect, it } from 'vitest';
import {
  PAIRING_CODE_ALPHABET,
  formatPairingCode,
  generatePairingCode,
  generatePairingSecret,
  hashPairingValue,
  normalizePairingCode,
} from '../src/index.js';

describe('pairing codes', () => {
  it('are 8 characters from the RFC 8628 alphabet', () => {
    for (let i = 0; i < 200; i++) {
      expect(generatePairingCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    }
  });

  it('re-draw bytes that would bias the alphabet', () => {
    // 240..255 are above the unbiased limit for a 20-letter alphabet and must be skipped.
    const bytes = [255, 240, 0, 1, 2, 3, 4, 5, 6, 7, 250];
    const random = (size: number) =>
      Buffer.from(Array.from({ length: size }, (_, i) => bytes[i % bytes.length]!));
    expect(generatePairingCode(random)).toBe(PAIRING_CODE_ALPHABET.slice(0, 8));
  });

  it('are spread over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) for (const char of generatePairingCode()) seen.add(char);
    expect(seen.size).toBe(PAIRING_CODE_ALPHABET.length);
  });

  it('are shown as XXXX-XXXX and read back whatever the case, dashes or spaces', () => {
    expect(formatPairingCode('BCDFGHJK')).toBe('BCDF-GHJK');
    expect(normalizePairingCode('bcdf-ghjk')).toBe('BCDFGHJK');
    expect(normalizePairingCode(' BCDF GHJK ')).toBe('BCDFGHJK');
    expect(normalizePairingCode('BCDFGHJ')).toBeUndefined();
    expect(normalizePairingCode('ABCDEFGH')).toBeUndefined();
  });
});

describe('pairing secrets', () => {
  it('carry 32 random bytes as base64url', () => {
    const secret = generatePairingSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generatePairingSecret()).not.toBe(secret);
  });

  it('are stored only as SHA-256 hex', () => {
    expect(hashPairingValue('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
