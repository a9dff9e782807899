// A phone that trusts our local CA for Shortcuts would otherwise trust it for every web site: a
// stolen `ca-key.pem` could then impersonate the user's bank. The CA therefore carries X.509
// Name Constraints (RFC 5280 §4.2.1.10) limiting it to home-network names and private addresses.
import { BlockList, isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';

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

/**
 * DER of the NameConstraints extension value: permittedSubtrees only, one GeneralSubtree per
 * DNS suffix (dNSName) and per IP range (iPAddress: the address followed by its mask).
 */
export function nameConstraintsDer(): Uint8Array {
  const permitted = [
    ...PERMITTED_DNS_SUFFIXES.map((suffix) => new GeneralName({ dNSName: suffix })),
    ...PERMITTED_IP_RANGES.map(
      ({ network, prefix }) => new GeneralName({ iPAddress: `${network}/${prefix}` }),
    ),
  ];
  const constraints = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees(permitted.map((base) => new GeneralSubtree({ base }))),
  });
  return new Uint8Array(AsnConvert.serialize(constraints));
}
