// A phone that trusts our local CA for Shortcuts would otherwise trust it for every web site: a
// stolen `ca-key.pem` could then impersonate the user's bank. The CA therefore carries X.509
// Name Constraints (RFC 5280 §4.2.1.10) limiting it to home-network names and private addresses.
import { BlockList, isIP } from 'node:net';

/** DNS suffixes the CA may issue for (each also covers its subdomains). */
export const PERMITTED_DNS_SUFFIXES = ['local', 'localhost', 'home.arpa', 'internal', 'lan'] as const;

/** Private, loopback, link-local and CGNAT (Tailscale) ranges. */
export const PERMITTED_IP_RANGES: ReadonlyArray<{ network: string; prefix: number }> = [
  { network: '10.0.0.0', prefix: 8 },
  { network: '172.16.0.0', prefix: 12 },
  { network: '192.168.0.0', prefix: 16 },
  { network: '127.0.0.0', prefix: 8 },
  { network: '169.254.0.0', prefix: 16 },
  { network: '100.64.0.0', prefix: 10 },
  { network: '::1', prefix: 128 },
  { network: 'fc00::', prefix: 7 },
  { network: 'fe80::', prefix: 10 },
];

export const NAME_CONSTRAINTS_OID = '2.5.29.30';

const permittedIps = new BlockList();
for (const { network, prefix } of PERMITTED_IP_RANGES) {
  permittedIps.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
}

/** Whether a certificate issued by our CA may name this host name or IP address. */
export function isPermittedName(name: string): boolean {
  const family = isIP(name);
  if (family !== 0) return permittedIps.check(name, family === 6 ? 'ipv6' : 'ipv4');
  const lower = name.toLowerCase().replace(/\.$/, '');
  return PERMITTED_DNS_SUFFIXES.some((suffix) => lower === suffix || lower.endsWith(`.${suffix}`));
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, content: number[]): number[] {
  return [tag, ...derLength(content.length), ...content];
}

/** IPv4 or IPv6 text → its 4 or 16 bytes (no zone ids or embedded IPv4; enough for the ranges above). */
export function ipAddressBytes(address: string): number[] {
  const family = isIP(address);
  if (family === 4) return address.split('.').map(Number);
  if (family !== 6 || address.includes('.') || address.includes('%')) {
    throw new Error(`unsupported IP address: ${address}`);
  }
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((g) =>
    parseInt(g, 16),
  );
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

function maskBytes(prefix: number, length: number): number[] {
  return Array.from({ length }, (_, index) => {
    const bits = Math.max(0, Math.min(8, prefix - index * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
}

/**
 * DER of the NameConstraints extension value: permittedSubtrees only, one GeneralSubtree per
 * DNS suffix (dNSName, [2]) and per IP range (iPAddress, [7] = address followed by mask).
 */
export function nameConstraintsDer(): Uint8Array {
  const subtrees = [
    ...PERMITTED_DNS_SUFFIXES.map((suffix) => der(0x30, der(0x82, [...Buffer.from(suffix, 'ascii')]))),
    ...PERMITTED_IP_RANGES.map(({ network, prefix }) => {
      const address = ipAddressBytes(network);
      return der(0x30, der(0x87, [...address, ...maskBytes(prefix, address.length)]));
    }),
  ];
  // NameConstraints ::= SEQUENCE { permittedSubtrees [0] IMPLICIT GeneralSubtrees }
  return Uint8Array.from(der(0x30, der(0xa0, subtrees.flat())));
}
