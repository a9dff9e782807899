import { randomUUID, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  certificateNames,
  ensureTlsCertificates,
  type TlsCertificateRequest,
} from '../src/services/tls/certificates.js';
import { spkiFingerprint } from '../src/services/tls/fingerprint.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const START = new Date('2026-11-21T10:00:00.000Z');
const NAMES = ['iclood.local', 'localhost', '192.168.1.20', 'fd12:3456::20', '127.0.0.1', '::1'];

let secretsDir: string;
let request: TlsCertificateRequest;
beforeEach(async () => {
  secretsDir = await mkdtemp(join(tmpdir(), 'iclood-tls-'));
  request = { secretsDir, serverId: randomUUID(), names: NAMES, now: START };
});
afterEach(() => rm(secretsDir, { recursive: true, force: true }));

const fileMode = async (name: string) => (await stat(join(secretsDir, name))).mode & 0o777;
const days = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / DAY_MS;

describe('TLS certificate generation', () => {
  it('creates a P-256 CA and a leaf it signs, with the SANs, serverAuth and a validity iOS accepts', async () => {
    const tls = await ensureTlsCertificates(request);
    expect(tls).toMatchObject({
      caCreated: true,
      leafKeyCreated: true,
      leafIssued: 'missing',
      excludedNames: [],
    });

    const ca = new X509Certificate(tls.caPem);
    const leaf = new X509Certificate(tls.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain(`CN=iClood local CA ${request.serverId.slice(0, 8)}`);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Math.round(days(ca.validFrom, ca.validTo))).toBe(3650);

    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // node lists the extended key usages here
    expect(days(leaf.validFrom, leaf.validTo)).toBeLessThanOrEqual(398);
    expect(days(leaf.validFrom, leaf.validTo)).toBeLessThan(825);
    expect(new Date(leaf.validFrom).getTime()).toBeLessThanOrEqual(START.getTime());
    for (const name of ['iclood.local', 'localhost']) expect(leaf.checkHost(name)).toBe(name);
    for (const ip of ['127.0.0.1', '192.168.1.20', '::1', 'fd12:3456::20'])
      expect(leaf.checkIP(ip)).toBeDefined();
    expect(leaf.checkHost('other.local')).toBeUndefined();
    expect(certificateNames(tls.certPem).dns).toEqual(['iclood.local', 'localhost']);

    expect(tls.caDer.equals(ca.raw)).toBe(true);
    expect(tls.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tls.fingerprint).toBe(spkiFingerprint(tls.certPem));
    expect(tls.shortFingerprint).toBe(tls.fingerprint.slice(0, 16));
  });

  it('keeps private keys 0600 and certificates 0644 in the secrets folder', async () => {
    const tls = await ensureTlsCertificates(request);
    expect(await fileMode('ca-key.pem')).toBe(0o600);
    expect(await fileMode('server-key.pem')).toBe(0o600);
    expect(await fileMode('ca.pem')).toBe(0o644);
    expect(await fileMode('server.pem')).toBe(0o644);
    expect(await readFile(join(secretsDir, 'ca.pem'), 'utf8')).toBe(tls.caPem);
    expect(await readFile(join(secretsDir, 'server.pem'), 'utf8')).toBe(tls.certPem);
    expect(await readFile(join(secretsDir, 'server-key.pem'), 'utf8')).toBe(tls.keyPem);
    expect(tls.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('narrows a key file that was made readable by others back to 0600', async () => {
    await ensureTlsCertificates(request);
    await chmod(join(secretsDir, 'server-key.pem'), 0o644);
    await chmod(join(secretsDir, 'ca-key.pem'), 0o640);
    await ensureTlsCertificates(request);
    expect(await fileMode('server-key.pem')).toBe(0o600);
    expect(await fileMode('ca-key.pem')).toBe(0o600);
  });

  it('reuses the stored certificates on the next start', async () => {
    const first = await ensureTlsCertificates(request);
    const again = await ensureTlsCertificates({ ...request, now: new Date(START.getTime() + 100 * DAY_MS) });
    expect(again).toMatchObject({ caCreated: false, leafKeyCreated: false, leafIssued: null });
    expect(again.certPem).toBe(first.certPem);
    expect(again.caPem).toBe(first.caPem);
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('re-issues the leaf within 30 days of expiry on the same key, so the pinned fingerprint holds', async () => {
    const first = await ensureTlsCertificates(request);
    const later = new Date(new Date(new X509Certificate(first.certPem).validTo).getTime() - 29 * DAY_MS);
    const renewed = await ensureTlsCertificates({ ...request, now: later });
    expect(renewed).toMatchObject({ caCreated: false, leafKeyCreated: false, leafIssued: 'expiring' });
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.caPem).toBe(first.caPem);
    expect(renewed.fingerprint).toBe(first.fingerprint);
    expect(new Date(new X509Certificate(renewed.certPem).validTo).getTime()).toBeGreaterThan(
      later.getTime() + 390 * DAY_MS,
    );
    expect(new X509Certificate(renewed.certPem).verify(new X509Certificate(first.caPem).publicKey)).toBe(
      true,
    );
  });

  it('re-issues the leaf when the LAN address changes, keeping the fingerprint', async () => {
    const first = await ensureTlsCertificates(request);
    const moved = await ensureTlsCertificates({
      ...request,
      names: [...NAMES.filter((n) => n !== '192.168.1.20'), '10.0.0.7'],
    });
    expect(moved.leafIssued).toBe('names-changed');
    expect(moved.fingerprint).toBe(first.fingerprint);
    expect(new X509Certificate(moved.certPem).checkIP('10.0.0.7')).toBe('10.0.0.7');
    // A name that is already covered (here: fewer names) is no reason to re-issue.
    const fewer = await ensureTlsCertificates({ ...request, names: ['iclood.local', '10.0.0.7'] });
    expect(fewer.leafIssued).toBeNull();
  });

  it('leaves public names and addresses out: the CA is name-constrained to the home network', async () => {
    const tls = await ensureTlsCertificates({
      ...request,
      names: [...NAMES, 'photos.example.com', '8.8.8.8', '2001:db8::1'],
    });
    expect(tls.excludedNames).toEqual(['photos.example.com', '8.8.8.8', '2001:db8::1']);
    const leaf = new X509Certificate(tls.certPem);
    expect(leaf.checkHost('photos.example.com')).toBeUndefined();
    expect(leaf.checkIP('8.8.8.8')).toBeUndefined();
    // And a later start with the same request does not keep re-issuing for them.
    expect((await ensureTlsCertificates({ ...request, names: [...NAMES, '8.8.8.8'] })).leafIssued).toBeNull();
  });

  it('heals a crash between writing a new CA key and its certificate', async () => {
    const first = await ensureTlsCertificates(request);
    const other = await mkdtemp(join(tmpdir(), 'iclood-tls-other-'));
    try {
      await ensureTlsCertificates({ ...request, secretsDir: other });
      await writeFile(join(secretsDir, 'ca-key.pem'), await readFile(join(other, 'ca-key.pem')));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    const healed = await ensureTlsCertificates(request);
    expect(healed).toMatchObject({ caCreated: true, leafIssued: 'new-ca' });
    expect(healed.fingerprint).toBe(first.fingerprint);
    expect(new X509Certificate(healed.certPem).verify(new X509Certificate(healed.caPem).publicKey)).toBe(
      true,
    );
    expect(
      new X509Certificate(healed.caPem).checkPrivateKey(
        (await import('node:crypto')).createPrivateKey(
          await readFile(join(secretsDir, 'ca-key.pem'), 'utf8'),
        ),
      ),
    ).toBe(true);
  });

  it('issues a new leaf, with a new fingerprint, only when its key is deleted', async () => {
    const first = await ensureTlsCertificates(request);
    await unlink(join(secretsDir, 'server-key.pem'));
    const rekeyed = await ensureTlsCertificates(request);
    expect(rekeyed).toMatchObject({ caCreated: false, leafKeyCreated: true, leafIssued: 'new-key' });
    expect(rekeyed.fingerprint).not.toBe(first.fingerprint);
  });

  it('refuses a key file it cannot read instead of silently replacing it', async () => {
    await ensureTlsCertificates(request);
    await writeFile(join(secretsDir, 'server-key.pem'), 'not a key');
    await expect(ensureTlsCertificates(request)).rejects.toThrow(
      /server-key\.pem is not a readable private key/,
    );
  });
});
