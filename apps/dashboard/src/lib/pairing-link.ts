// The phone's side of a pairing link (`<server>/pair#v=1&s=<secret>&c=<code>&…`): what the
// pairing page reads from its fragment, and how it names the device it is about to pair.

import { personName } from './people.js';

/** The pairing a link names: its secret when it has one (it cannot be guessed), else its code. */
export type PairingCredential = { secret: string } | { code: string };

/**
 * The credential in a pairing link's fragment (`location.hash`), or undefined when the fragment
 * holds none or comes from a version this page does not know.
 */
export function pairingCredentialFrom(fragment: string): PairingCredential | undefined {
  const fields = new URLSearchParams(fragment.replace(/^#/, ''));
  if (fields.get('v') !== '1') return undefined;
  const secret = fields.get('s');
  if (secret) return { secret };
  const code = fields.get('c');
  return code ? { code } : undefined;
}

/** "iPhone", "iPad" or "phone": what the person holds, from the browser's user agent. */
export function deviceKind(userAgent: string): string {
  if (/\biPhone\b/.test(userAgent)) return 'iPhone';
  if (/\biPad\b/.test(userAgent)) return 'iPad';
  return 'phone';
}

/** "Anna's iPhone": the name the device-name field starts with. */
export function suggestedDeviceName(
  member: { username: string; displayName: string | null },
  userAgent: string,
): string {
  return `${personName(member)}'s ${deviceKind(userAgent)}`.slice(0, 100);
}

/**
 * The same pairing link on the server's HTTPS URL (`httpsUrl` from the pairing preview), for a
 * page opened over plain HTTP: `<httpsUrl>/pair<fragment>`. Built here, so the fragment, which
 * holds the secret, never reaches the server; undefined for a URL that is not https.
 */
export function securePairingLink(httpsUrl: string, fragment: string): string | undefined {
  if (!/^https:\/\/[^/?#]+(\/[^?#]*)?$/i.test(httpsUrl)) return undefined;
  return `${httpsUrl.replace(/\/+$/, '')}/pair${fragment.startsWith('#') ? fragment : `#${fragment}`}`;
}
