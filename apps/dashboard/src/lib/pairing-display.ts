// How the Add-a-phone page shows a pairing: the code in groups, the time left, the address.

/** "BCDF-GHJK" (or "bcdfghjk") → ["BCDF", "GHJK"]: two groups of four, easy to read aloud. */
export function codeGroups(code: string): string[] {
  const letters = code.replace(/[^A-Za-z]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let start = 0; start < letters.length; start += 4) groups.push(letters.slice(start, start + 4));
  return groups;
}

/** "B C D F, G H J K": what a screen reader should spell, letter by letter. */
export function spokenCode(code: string): string {
  return codeGroups(code)
    .map((group) => group.split('').join(' '))
    .join(', ');
}

/** "9:05" for the minutes and seconds left, never below "0:00". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** "9 minutes 5 seconds": the time left in words, for assistive technology. */
export function countdownInWords(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const words: string[] = [];
  if (minutes > 0) words.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (seconds > 0 || minutes === 0) words.push(`${seconds} ${seconds === 1 ? 'second' : 'seconds'}`);
  return words.join(' ');
}

const LOOPBACK = /^(localhost|127(?:\.\d+){3}|\[::1\])$/i;

/**
 * The server addresses and fields of a pairing QR payload: the pairing link
 * (`<first URL>/pair#v=1&s=…&u=<further URL>…`) or the older `iclood://pair?v=1&u=…&s=…`.
 */
function payloadFields(qrPayload: string): { urls: string[]; fields: URLSearchParams } {
  const hashAt = qrPayload.indexOf('#');
  if (/^https?:\/\//i.test(qrPayload) && hashAt !== -1) {
    const fields = new URLSearchParams(qrPayload.slice(hashAt + 1));
    const page = qrPayload.slice(0, hashAt);
    return { urls: [page.replace(/\/pair$/, ''), ...fields.getAll('u')], fields };
  }
  const fields = new URLSearchParams(qrPayload.slice(qrPayload.indexOf('?') + 1));
  return { urls: fields.getAll('u'), fields };
}

/**
 * The server address the phone will use: this page's own origin, unless the page was opened on
 * the server itself (localhost), which a phone cannot reach; then the first address the QR code
 * offers (preferred first).
 */
export function phoneAddress(origin: string, qrPayload: string): string {
  if (!LOOPBACK.test(new URL(origin).hostname)) return origin;
  return payloadFields(qrPayload).urls[0] ?? origin;
}

/**
 * The HTTPS certificate fingerprint the QR code gives the app to pin (its `fp`), or null when the
 * server has HTTPS off. Read from the payload rather than the server status, which members may
 * not read, so everyone sees what their phone will check.
 */
export function pairingFingerprint(qrPayload: string): string | null {
  return payloadFields(qrPayload).fields.get('fp');
}
