// The one place that knows the host's addresses on the home network and the URLs and name the
// server is reached by: start-up banner, pairing QR codes, certificate SANs and mDNS all agree.
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface LanAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  /** The interface it belongs to, e.g. `eth0` or `wlan0`. */
  interfaceName: string;
}

type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

// Link-local IPv6 (fe80::/10) needs a zone id ("%wlan0") that differs per client, so it cannot
// go into a URL, a QR code or a certificate.
function isLinkLocalIPv6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/**
 * The host's non-internal IPv4 and IPv6 addresses (link-local IPv6 left out), IPv4 first.
 *
 * @example
 * listLanAddresses().map((entry) => entry.address); // ['192.168.1.20', 'fd12::20']
 */
export function listLanAddresses(interfaces: InterfaceTable = networkInterfaces()): LanAddress[] {
  const found: LanAddress[] = [];
  for (const [interfaceName, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv6' && isLinkLocalIPv6(entry.address)) continue;
      if (found.some((known) => known.address === entry.address)) continue;
      found.push({ address: entry.address, family: entry.family, interfaceName });
    }
  }
  return [...found.filter((a) => a.family === 'IPv4'), ...found.filter((a) => a.family === 'IPv6')];
}

export interface UrlOptions {
  /** The address the listener is bound to (config.host): a wildcard, an IP or a host name. */
  host: string;
  port: number;
  protocol?: 'http' | 'https';
  /** Defaults to the host's current addresses. */
  addresses?: LanAddress[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function addressesReachableThrough(host: string, addresses: LanAddress[]): LanAddress[] {
  // 0.0.0.0 listens on IPv4 only; :: is dual-stack on Linux and takes both families.
  if (host === '0.0.0.0') return addresses.filter((a) => a.family === 'IPv4');
  if (host === '::') return addresses;
  return [];
}

/**
 * Every URL a phone on the LAN can use (no localhost), e.g. for the pairing QR code. A listener
 * bound to one address yields that address only, or nothing when it is loopback.
 *
 * @example
 * lanUrls({ host: '0.0.0.0', port: 8080 }); // ['http://192.168.1.20:8080']
 */
export function lanUrls({
  host,
  port,
  protocol = 'http',
  addresses = listLanAddresses(),
}: UrlOptions): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  const hosts = wildcard
    ? addressesReachableThrough(host, addresses).map((a) => a.address)
    : LOOPBACK_HOSTS.has(host)
      ? []
      : [host];
  return hosts.map((entry) => `${protocol}://${hostInUrl(entry)}:${port}`);
}

/**
 * The URLs to print at start: `localhost` first when listening on every interface, then the
 * LAN ones; or the one bound address.
 */
export function listenUrls(options: UrlOptions): string[] {
  const { host, port, protocol = 'http' } = options;
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) return [`${protocol}://${hostInUrl(host)}:${port}`];
  return [`${protocol}://localhost:${port}`, ...lanUrls(options)];
}

/** What the server calls itself on the LAN (mDNS instance, iOS profile): "iClood on raspberrypi". */
export function lanDisplayName(hostName: string = hostname()): string {
  return `iClood on ${hostName.replace(/\.local\.?$/i, '')}`;
}
