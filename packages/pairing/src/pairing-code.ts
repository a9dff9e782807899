import { createHash, randomBytes } from 'node:crypto';

/** RFC 8628 §6.1 user-code alphabet: no vowels (no words), no look-alike characters. */
export const PAIRING_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const PAIRING_CODE_LENGTH = 8;

// The largest multiple of the alphabet size that fits in a byte: bytes above it are re-drawn
// so every character is equally likely.
const UNBIASED_LIMIT = 256 - (256 % PAIRING_CODE_ALPHABET.length);

/**
 * A new 8-character manual pairing code, canonical form (no dash), e.g. `BDFGHJKL`.
 * `random` is injectable for tests.
 */
export function generatePairingCode(random: (size: number) => Buffer = randomBytes): string {
  let code = '';
  while (code.length < PAIRING_CODE_LENGTH) {
    for (const byte of random(PAIRING_CODE_LENGTH * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      code += PAIRING_CODE_ALPHABET[byte % PAIRING_CODE_ALPHABET.length];
      if (code.length === PAIRING_CODE_LENGTH) break;
    }
  }
  return code;
}

/** `BDFGHJKL` → `BDFG-HJKL`, the form shown to people. */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed → the canonical code, or `undefined` if it cannot be one.
 * Case, dashes and spaces do not matter: `bdfg hjkl`, `BDFG-HJKL` and `bdfghjkl` are equal.
 */
export function normalizePairingCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== PAIRING_CODE_LENGTH) return undefined;
  for (const char of code) if (!PAIRING_CODE_ALPHABET.includes(char)) return undefined;
  return code;
}

/** A 32-byte random secret for the QR code, base64url. */
export function generatePairingSecret(random: (size: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

/** Only hashes of codes and secrets are stored: SHA-256, hex. */
export function hashPairingValue(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
