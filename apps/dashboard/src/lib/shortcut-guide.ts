// The values the Shortcut guide fills in: this server's address as the iPhone should use it, and the
// API paths the Shortcut calls. Pure: unit-tested.

/** The API paths a backup Shortcut calls (DESIGN §4), and the HTTPS profile. */
export const SHORTCUT_PATHS = {
  status: '/api/v1/backup/status',
  start: '/api/v1/backup/start',
  upload: '/api/v1/media/upload',
  stop: '/api/v1/backup/stop',
  profile: '/api/v1/system/ca.mobileconfig',
} as const;

/** Where this page was opened: `location` or a part of it. */
export interface PageLocation {
  protocol: string;
  hostname: string;
  origin: string;
}

/** The HTTPS part of `GET /system/status`. */
export interface TlsInfo {
  enabled: boolean;
  port: number | null;
}

/**
 * The address the Shortcut should call: this page's origin, or, when the server also speaks
 * HTTPS and the page was opened over HTTP, the same host on the HTTPS port (the server's
 * certificate covers the names and LAN addresses it is reached by).
 *
 * @example
 * shortcutServerAddress({ protocol: 'http:', hostname: 'iclood.local', origin: 'http://iclood.local:8080' },
 *   { enabled: true, port: 8443 }); // 'https://iclood.local:8443'
 */
export function shortcutServerAddress(page: PageLocation, tls?: TlsInfo): string {
  if (page.protocol === 'https:' || !tls?.enabled || tls.port === null) return page.origin;
  return tls.port === 443 ? `https://${page.hostname}` : `https://${page.hostname}:${tls.port}`;
}

/** True for names only this machine answers to: a phone cannot reach the server at them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/** "Anna's iPhone Shortcut", from the signed-in user's name. */
export function defaultShortcutName(user: { displayName?: string | null; username: string } | null): string {
  const name = user?.displayName?.trim() || user?.username;
  return name ? `${name}'s iPhone Shortcut` : 'iPhone Shortcut';
}
