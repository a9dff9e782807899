import { randomBytes } from 'node:crypto';

import { generatePairingCode, generatePairingSecret, hashPairingValue } from './pairing-code.js';

/** What a new pairing session needs: the plain values for the person, the hashes for the database. */
export interface PairingCredentials {
  /** Manual code, canonical form (`BDFGHJKL`); show it with `formatPairingCode`. */
  code: string;
  /** 32 random bytes, base64url, carried by the QR code. */
  secret: string;
  /** `hashPairingValue(code)`: what is stored and what a claim by code looks up. */
  codeHash: string;
  /** `hashPairingValue(secret)`: what is stored and what a claim by secret looks up. */
  secretHash: string;
}

/**
 * A fresh manual code and QR secret with their SHA-256 hashes. Only the hashes go to the
 * database; the plain values are shown once. `random` is injectable for tests.
 *
 * @example
 * const { code, secret, codeHash, secretHash } = newPairingCredentials();
 * await createPairingSession(db, { userId, codeHash, secretHash, expiresAt });
 */
export function newPairingCredentials(random: (size: number) => Buffer = randomBytes): PairingCredentials {
  const code = generatePairingCode(random);
  const secret = generatePairingSecret(random);
  return { code, secret, codeHash: hashPairingValue(code), secretHash: hashPairingValue(secret) };
}
