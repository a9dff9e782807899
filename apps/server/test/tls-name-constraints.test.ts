import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsCertificates, type TlsCertificates } from '../src/services/tls/certificates.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName } from '@peculiar/asn1-x509';
import { isPermittedName, nameConstraintsDer } from '../src/services/tls/name-constraints.js';
import * as x509 from '@peculiar/x509';

describe('the local CA is limited to home-network names', () => {
  it.each([
    ['iclood.local', true],
    ['ICLOOD.LOCAL', true],
    ['localhost', true],
    ['nas.home.arpa', true],
    ['pi.lan', true],
    ['photos.example.com', false],
    ['notlocal', false],
    ['local.example.com', false],
    ['192.168.1.20', true],
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['100.101.102.103', true],
    ['127.0.0.1', true],
    ['8.8.8.8', false],
    ['::1', true],
    ['fd12:3456::20', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
  ])('%s → %s', (name, permitted) => {
    expect(isPermittedName(name)).toBe(permitted);
  });

  it('encodes addresses as bytes', () => {
    // iPAddress [7]: the tag, the length, then the address as the asn1-x509 schema writes it.
    const ipAddressBytes = (address: string) =>
      [...new Uint8Array(AsnConvert.serialize(new GeneralName({ iPAddress: address })))].slice(2);
    expect(ipAddressBytes('192.168.1.20')).toEqual([192, 168, 1, 20]);
    expect(ipAddressBytes('::1')).toEqual([...Array(15).fill(0), 1]);
    expect(ipAddressBytes('fe80::')).toEqual([0xfe, 0x80, ...Array(14).fill(0)]);
    expect(ipAddressBytes('fd12:3456::20')).toEqual([
      0xfd,
      0x12,
      0x34,
      0x56,
      ...Array(10).fill(0),
      0x00,
      0x20,
    ]);
  });

  it('writes the same extension bytes as the hand-written DER encoder it replaced', () => {
    // nameConstraintsDer() of the encoder before @peculiar/asn1-x509 (commit c1e8581): CAs made
    // before and after carry the same constraints, byte for byte.
    const before =
      '3081eda081ea300782056c6f63616c300b82096c6f63616c686f7374300b8209686f6d652e61727061300a82' +
      '08696e7465726e616c300582036c616e300a87080a000000ff000000300a8708ac100000fff00000300a8708' +
      'c0a80000ffff0000300a87087f000000ff000000300a8708a9fe0000ffff0000300a870864400000ffc00000' +
      '3022872000000000000000000000000000000001ffffffffffffffffffffffffffffffff30228720fc000000' +
      '000000000000000000000000fe00000000000000000000000000000030228720fe8000000000000000000000' +
      '00000000ffc00000000000000000000000000000';
    expect(Buffer.from(nameConstraintsDer()).toString('hex')).toBe(before);
  });
});

describe('TLS clients enforce the name constraints', () => {
  let dir: string;
  let tls: TlsCertificates;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iclood-tls-nc-'));
    tls = await ensureTlsCertificates({
      secretsDir: dir,
      serverId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
      names: ['iclood.local'],
      now: new Date(),
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // What someone holding a stolen ca-key.pem could sign: a certificate for any name.
  async function leafSignedByTheCa(name: string): Promise<string> {
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    const caKeyPem = await readFile(join(dir, 'ca-key.pem'), 'utf8');
    const caKey = await webcrypto.subtle.importKey(
      'pkcs8',
      createPrivateKey(caKeyPem).export({ type: 'pkcs8', format: 'der' }),
      algorithm,
      false,
      ['sign'],
    );
    const certificate = await x509.X509CertificateGenerator.create({
      subject: `CN=${name}`,
      issuer: new x509.X509Certificate(tls.caPem).subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      publicKey: new x509.X509Certificate(tls.certPem).publicKey,
      signingKey: caKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
      ],
    });
    return certificate.toString('pem');
  }

  async function handshake(cert: string, servername: string): Promise<string> {
    const server = createServer({ key: tls.keyPem, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise<string>((resolve) => {
        request({ host: '127.0.0.1', port, servername, ca: tls.caPem, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve('ok'));
        })
          .on('error', (error: NodeJS.ErrnoException) => resolve(error.message))
          .end();
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('accepts a certificate for a .local name', async () => {
    expect(await handshake(await leafSignedByTheCa('nas.local'), 'nas.local')).toBe('ok');
  });

  it('rejects a certificate for a public name, even though the CA signed it', async () => {
    const forged = await leafSignedByTheCa('bank.example.com');
    expect(new X509Certificate(forged).verify(new X509Certificate(tls.caPem).publicKey)).toBe(true);
    // Node reports OpenSSL's X509_V_ERR_PERMITTED_VIOLATION with code UNSPECIFIED; the message is exact.
    expect(await handshake(forged, 'bank.example.com')).toBe('permitted subtree violation');
  });
});
