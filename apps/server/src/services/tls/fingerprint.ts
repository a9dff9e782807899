import { createHash, X509Certificate } from 'node:crypto';

/** Characters of the fingerprint put in the mDNS TXT record (`fp=`): 96 bits, enough to tell servers apart. */
export const SHORT_FINGERPRINT_LENGTH = 16;

/**
 * The pin the iPhone app checks: SHA-256 of the certificate's SubjectPublicKeyInfo (DER),
 * base64url without padding (43 characters), as in HPKP/OkHttp pins but URL-safe for the QR
 * code. It names the key, not the certificate, so it survives re-issuing the certificate.
 *
 * @example
 * spkiFingerprint(readFileSync('server.pem', 'utf8')); // 'q1Vd0m…' (43 chars)
 */
export function spkiFingerprint(certificatePem: string | Buffer): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64url');
}

/** The first 16 characters of the fingerprint, for the TXT record. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, SHORT_FINGERPRINT_LENGTH);
}
