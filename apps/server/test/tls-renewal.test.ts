import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, startTestServer, type TestServer } from './helper.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The serial number of the certificate the HTTPS listener presents right now. */
function presentedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Not verifying here on purpose: the renewed certificate starts in the test clock's future.
    request(
      { host: '127.0.0.1', port, path: '/api/v1/ping', rejectUnauthorized: false, agent: false },
      (response) => {
        resolve((response.socket as TLSSocket).getPeerCertificate().serialNumber);
        response.resume();
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('a long-running server renews its certificate', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    server = await startTestServer(databaseTargets[0]!, { ICLOOD_TLS_PORT: '8443' });
    port = (await server.app.httpsListener.listen({ port: 0, host: '127.0.0.1' }))!;
  });
  afterAll(() => server.close());

  const leafOnDisk = async () =>
    new X509Certificate(await readFile(join(server.dataDir, 'secrets', 'server.pem')));

  it('does nothing while the certificate is fresh', async () => {
    server.clock.advance(300 * DAY_MS);
    expect(await server.app.httpsListener.renewCertificate()).toBe(false);
  });

  it('re-issues within 30 days of expiry on the same key, and serves the new one without a restart', async () => {
    const before = await leafOnDisk();
    const fingerprint = server.app.tls.fingerprint;
    expect(await presentedSerial(port)).toBe(before.serialNumber);

    server.clock.advance(80 * DAY_MS); // 380 days after issue: 17 left
    expect(await server.app.httpsListener.renewCertificate()).toBe(true);
    const after = await leafOnDisk();
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(new Date(after.validTo).getTime()).toBeGreaterThan(new Date(before.validTo).getTime());
    expect(server.app.tls.fingerprint).toBe(fingerprint);
    expect(await presentedSerial(port)).toBe(after.serialNumber);

    expect(await server.app.httpsListener.renewCertificate()).toBe(false);
  });
});
