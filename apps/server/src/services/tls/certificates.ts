// The server's own HTTPS certificates: a local CA (installed on phones for Shortcuts) and a leaf
// certificate it signs (pinned by the iPhone app through its key). Kept in the secrets folder,
// created on first start, reused afterwards, the leaf re-issued on the same key when needed.
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
// @peculiar/x509 finds its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { shortFingerprint, spkiFingerprint } from './fingerprint.js';
import {
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  readOptionalFile,
  restrictToOwner,
  TLS_FILES,
  writeFileAtomically,
} from './certificate-files.js';
import { isPermittedName, NAME_CONSTRAINTS_OID, nameConstraintsDer } from './name-constraints.js';

x509.cryptoProvider.set(webcrypto);

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Ten years: the CA is what phones install, so it should outlive the Pi. */
export const CA_VALIDITY_DAYS = 3650;
/** Under Apple's 398-day limit for TLS server certificates (and far under iOS's 825 for local roots). */
export const LEAF_VALIDITY_DAYS = 397;
/** A certificate this close to its end is replaced. */
export const RENEW_BEFORE_DAYS = 30;
// Phones and a Pi without a clock battery rarely agree to the second.
const BACKDATE_MS = 60 * 60 * 1000;

export interface TlsCertificateRequest {
  /** `$ICLOOD_DATA_DIR/secrets` (exists, mode 0700). */
  secretsDir: string;
  serverId: string;
  /** Host names and IP addresses the leaf must be valid for; see `leafSubjectNames`. */
  names: string[];
  now: Date;
}

export type LeafIssueReason =
  'missing' | 'new-ca' | 'new-key' | 'expiring' | 'names-changed' | 'not-yet-valid';

export interface TlsCertificates {
  caPem: string;
  /** The CA certificate as DER, e.g. for the iOS profile. */
  caDer: Buffer;
  /** Leaf certificate and its private key (PKCS#8), for `https.createServer`. */
  certPem: string;
  keyPem: string;
  /** SPKI SHA-256 of the leaf, base64url (see `spkiFingerprint`). */
  fingerprint: string;
  shortFingerprint: string;
  leafNotAfter: Date;
  /** The names the leaf covers, and the requested ones left out because the CA may not issue for them. */
  coveredNames: string[];
  excludedNames: string[];
  caCreated: boolean;
  leafKeyCreated: boolean;
  /** Why the leaf was (re-)issued on this call, or null when the stored one was reused. */
  leafIssued: LeafIssueReason | null;
}

interface KeyMaterial {
  pem: string;
  node: KeyObject;
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
}

interface LeafSubjectOptions {
  /** ICLOOD_MDNS_HOST, e.g. `iclood.local`. */
  mdnsHost: string;
  /** The machine's name; `<name>.local` is what Avahi answers on a Raspberry Pi. */
  hostName: string;
  /** The HTTP/HTTPS bind address (config.host); added when it is a specific address or name. */
  listenHost: string;
  /** ICLOOD_PUBLIC_URL, whose host is added. */
  publicUrl: string | undefined;
  lanAddresses: string[];
}

/**
 * Every name the leaf should carry: the mDNS host, `<hostname>.local`, localhost, the LAN
 * addresses, loopback, and the configured bind/public host. Lower-cased and de-duplicated.
 */
export function leafSubjectNames(options: LeafSubjectOptions): string[] {
  const names = [options.mdnsHost, 'localhost'];
  if (/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(options.hostName)) names.push(`${options.hostName}.local`);
  if (options.listenHost !== '0.0.0.0' && options.listenHost !== '::') names.push(options.listenHost);
  if (options.publicUrl) names.push(new URL(options.publicUrl).hostname.replace(/^\[|\]$/g, ''));
  names.push(...options.lanAddresses, '127.0.0.1', '::1');
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

function pemOfPrivateKey(pkcs8: ArrayBuffer): string {
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function generateKeyMaterial(): Promise<KeyMaterial> {
  const pair = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const pem = pemOfPrivateKey(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { pem, node: createPrivateKey(pem), privateKey: pair.privateKey, publicKey: pair.publicKey };
}

async function importKeyMaterial(pem: string, path: string): Promise<KeyMaterial> {
  let node: KeyObject;
  try {
    node = createPrivateKey(pem);
  } catch {
    throw new Error(`${path} is not a readable private key; delete it to generate a new one`);
  }
  if (node.asymmetricKeyType !== 'ec' || node.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${path} is not an ECDSA P-256 key; delete it to generate a new one`);
  }
  const pkcs8 = node.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(node).export({ type: 'spki', format: 'der' });
  return {
    pem,
    node,
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, KEY_ALGORITHM, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, KEY_ALGORITHM, true, ['verify']),
  };
}

function parseCertificate(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function belongsTo(certificate: X509Certificate, key: KeyMaterial): boolean {
  return certificate.checkPrivateKey(key.node);
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  // Positive and without a leading zero byte, as RFC 5280 asks of serial numbers.
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function createCa(serverId: string, key: KeyMaterial, now: Date): Promise<string> {
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=iClood local CA ${serverId.slice(0, 8)}, O=iClood`,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys: { privateKey: key.privateKey, publicKey: key.publicKey },
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
      new x509.Extension(NAME_CONSTRAINTS_OID, true, nameConstraintsDer()),
    ],
  });
  return certificate.toString('pem');
}

async function issueLeaf(
  caPem: string,
  caKey: KeyMaterial,
  leafKey: KeyMaterial,
  names: string[],
  now: Date,
): Promise<string> {
  const ca = new x509.X509Certificate(caPem);
  const notAfter = Math.min(now.getTime() + LEAF_VALIDITY_DAYS * DAY_MS, ca.notAfter.getTime());
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${names[0] ?? 'localhost'}, O=iClood`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    publicKey: leafKey.publicKey,
    signingKey: caKey.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => ({ type: isIP(name) ? ('ip' as const) : ('dns' as const), value: name })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(leafKey.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKey.publicKey),
    ],
  });
  return certificate.toString('pem');
}

/** The DNS names and IP addresses in a certificate's subjectAltName. */
export function certificateNames(certificatePem: string): { dns: string[]; ip: string[] } {
  const san = new x509.X509Certificate(certificatePem).getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return {
    dns: items.filter((item) => item.type === 'dns').map((item) => item.value.toLowerCase()),
    ip: items.filter((item) => item.type === 'ip').map((item) => item.value),
  };
}

function coversAll(certificatePem: string, wanted: string[]): boolean {
  const { dns, ip } = certificateNames(certificatePem);
  const addresses = new BlockList();
  for (const address of ip) addresses.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return wanted.every((name) => {
    const family = isIP(name);
    if (family === 0) return dns.includes(name.toLowerCase());
    return addresses.check(name, family === 6 ? 'ipv6' : 'ipv4');
  });
}

function leafIssueReason(
  leafPem: string | undefined,
  ca: X509Certificate,
  leafKey: KeyMaterial,
  names: string[],
  now: Date,
): LeafIssueReason | null {
  const leaf = parseCertificate(leafPem);
  if (!leaf || !leafPem) return 'missing';
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return 'new-ca';
  if (!belongsTo(leaf, leafKey)) return 'new-key';
  if (new Date(leaf.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return 'expiring';
  if (new Date(leaf.validFrom).getTime() > now.getTime()) return 'not-yet-valid';
  if (!coversAll(leafPem, names)) return 'names-changed';
  return null;
}

async function loadOrCreateKey(path: string): Promise<{ key: KeyMaterial; created: boolean }> {
  const pem = await readOptionalFile(path);
  if (pem !== undefined && pem.trim() !== '') {
    await restrictToOwner(path);
    return { key: await importKeyMaterial(pem, path), created: false };
  }
  const key = await generateKeyMaterial();
  await writeFileAtomically(path, key.pem, PRIVATE_FILE_MODE);
  return { key, created: true };
}

interface StoredCa {
  pem: string;
  certificate: X509Certificate;
  key: KeyMaterial;
}

/** The stored CA, unless it is missing, about to expire, or not the pair of the stored key. */
async function loadCa(certPath: string, keyPath: string, now: Date): Promise<StoredCa | undefined> {
  const pem = await readOptionalFile(certPath);
  const certificate = parseCertificate(pem);
  const keyPem = (await readOptionalFile(keyPath))?.trim();
  if (!pem || !certificate?.ca || !keyPem) return undefined;
  if (new Date(certificate.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return undefined;
  await restrictToOwner(keyPath);
  const key = await importKeyMaterial(keyPem, keyPath);
  // A crash between writing a new CA key and its certificate leaves a pair that does not match.
  return belongsTo(certificate, key) ? { pem, certificate, key } : undefined;
}

async function createAndStoreCa(
  certPath: string,
  keyPath: string,
  serverId: string,
  now: Date,
): Promise<StoredCa> {
  const key = await generateKeyMaterial();
  await writeFileAtomically(keyPath, key.pem, PRIVATE_FILE_MODE);
  const pem = await createCa(serverId, key, now);
  await writeFileAtomically(certPath, pem, PUBLIC_FILE_MODE);
  return { pem, certificate: new X509Certificate(pem), key };
}

/**
 * Loads the CA and leaf from `secretsDir`, creating or re-issuing what is missing, expiring or
 * no longer covering `names`. The leaf's key pair is kept across re-issues, so its fingerprint
 * (what the app pins) only changes if `server-key.pem` is deleted. Keys are written before the
 * certificates that use them, each file atomically, so a crash at any point heals on the next call.
 *
 * @example
 * const tls = await ensureTlsCertificates({ secretsDir, serverId, names: ['iclood.local', '192.168.1.20'], now: new Date() });
 * https.createServer({ key: tls.keyPem, cert: tls.certPem });
 */
export async function ensureTlsCertificates(request: TlsCertificateRequest): Promise<TlsCertificates> {
  const { secretsDir, serverId, now } = request;
  const path = (name: string) => join(secretsDir, name);
  const coveredNames = request.names.filter(isPermittedName);
  const excludedNames = request.names.filter((name) => !isPermittedName(name));

  const stored = await loadCa(path(TLS_FILES.caCert), path(TLS_FILES.caKey), now);
  const ca = stored ?? (await createAndStoreCa(path(TLS_FILES.caCert), path(TLS_FILES.caKey), serverId, now));
  const caCreated = stored === undefined;

  const { key: leafKey, created: leafKeyCreated } = await loadOrCreateKey(path(TLS_FILES.leafKey));
  const storedLeafPem = await readOptionalFile(path(TLS_FILES.leafCert));
  const leafIssued = leafIssueReason(storedLeafPem, ca.certificate, leafKey, coveredNames, now);
  let certPem: string;
  if (leafIssued || storedLeafPem === undefined) {
    certPem = await issueLeaf(ca.pem, ca.key, leafKey, coveredNames, now);
    await writeFileAtomically(path(TLS_FILES.leafCert), certPem, PUBLIC_FILE_MODE);
  } else {
    certPem = storedLeafPem;
  }

  const fingerprint = spkiFingerprint(certPem);
  return {
    caPem: ca.pem,
    caDer: ca.certificate.raw,
    certPem,
    keyPem: leafKey.pem,
    fingerprint,
    shortFingerprint: shortFingerprint(fingerprint),
    leafNotAfter: new Date(new X509Certificate(certPem).validTo),
    coveredNames,
    excludedNames,
    caCreated,
    leafKeyCreated,
    leafIssued,
  };
}
