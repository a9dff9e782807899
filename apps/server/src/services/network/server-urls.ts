import type { App } from '../../types.js';
import { lanUrls } from './lan-addresses.js';

/** The port the HTTP server really listens on (PORT=0 picks one), or the configured one. */
function httpPort(app: App): number {
  const address = app.server.listening ? app.server.address() : null;
  return typeof address === 'object' && address ? address.port : app.config.port;
}

/**
 * A server URL as browsers write it (`HTTPS://NAS.Local:443/iclood/` → `https://nas.local/iclood`):
 * the first one is the pairing link's base, which must read back exactly as written.
 */
function canonicalServerUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/**
 * Every URL a phone on the LAN may reach this server at, best first: the configured public URL,
 * then HTTPS (when on) and HTTP by mDNS host name and by each LAN address, in canonical form.
 * Goes into pairing QR codes so the app can try them in order; the first is the pairing link.
 */
export function reachableUrls(app: App): string[] {
  const { publicUrl, mdns, host } = app.config;
  const port = httpPort(app);
  const tlsPort = app.tls.enabled ? app.tls.port : undefined;
  const byName = (protocol: string, p: number) => (mdns.enabled ? [`${protocol}://${mdns.host}:${p}`] : []);
  // Bound to loopback only (development): the QR still needs somewhere to point.
  const onLan = (protocol: 'http' | 'https', p: number) => {
    const urls = lanUrls({ host, port: p, protocol });
    return urls.length > 0 || mdns.enabled
      ? urls
      : [`${protocol}://${host.includes(':') ? `[${host}]` : host}:${p}`];
  };
  const urls = [
    ...(publicUrl ? [publicUrl] : []),
    ...(tlsPort ? [...byName('https', tlsPort), ...onLan('https', tlsPort)] : []),
    ...byName('http', port),
    ...onLan('http', port),
  ];
  return [...new Set(urls.map(canonicalServerUrl))];
}

/**
 * The same URLs with plain HTTP first, for the second pairing link a phone without the CA profile
 * opens (Safari shows it no certificate warning); `undefined` unless HTTPS is on and the preferred
 * URL is https, when the first link already is that one.
 */
export function plainHttpFirstUrls(app: App): string[] | undefined {
  const urls = reachableUrls(app);
  if (!app.tls.enabled || !urls[0]?.startsWith('https:')) return undefined;
  const http = urls.filter((url) => url.startsWith('http:'));
  return http.length > 0 ? [...http, ...urls.filter((url) => !url.startsWith('http:'))] : undefined;
}

/**
 * Where a page opened over plain HTTP at `hostname` continues over HTTPS: the https URL on that
 * host when there is one, else the preferred https URL; `undefined` with HTTPS off.
 */
export function httpsUrlFor(app: App, hostname: string): string | undefined {
  if (!app.tls.enabled) return undefined;
  const https = reachableUrls(app).filter((url) => url.startsWith('https:'));
  return https.find((url) => new URL(url).hostname === hostname.toLowerCase()) ?? https[0];
}
