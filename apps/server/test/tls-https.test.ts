import { createHash, X509Certificate } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { parsePairingPayload } from '@iclood/pairing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../src/envelope.js';
import { databaseTargets, OWNER, startTestServer, type TestServer } from './helper.js';

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peerSpki: Buffer;
}

function httpsRequest(options: RequestOptions & { body?: string }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ agent: false, ...options }, (response) => {
      const socket = response.socket as TLSSocket;
      const peer = new X509Certificate(socket.getPeerCertificate().raw);
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          peerSpki: peer.publicKey.export({ type: 'spki', format: 'der' }),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe.each(databaseTargets)('HTTPS beside HTTP ($label)', (target) => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    // Real time: the TLS client checks the certificate's validity against the wall clock.
    server = await startTestServer(
      target,
      { ICLOOD_TLS_PORT: '8443', HOST: '127.0.0.1' },
      { now: () => new Date() },
      (app) => {
        app.get('/api/v1/test/protocol', { config: { access: 'public' } }, async (req) =>
          ok({ protocol: req.protocol }),
        );
        app.get('/api/v1/test/slow', { config: { access: 'public' } }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          return ok({ finished: true });
        });
      },
    );
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (await server.app.httpsListener.listen({ port: 0 }))!;
  });
  afterAll(() => server.close());

  const base = () => ({ host: '127.0.0.1', port, ca: server.app.tls.caPem });

  it('serves /api/v1/ping over HTTPS with a certificate whose SPKI SHA-256 is app.tls.fingerprint', async () => {
    expect(server.app.tls).toMatchObject({ enabled: true, port });
    const answer = await httpsRequest({ ...base(), path: '/api/v1/ping', servername: 'localhost' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 'success',
      data: { serverId: server.app.identity.serverId },
    });
    expect(createHash('sha256').update(answer.peerSpki).digest('base64url')).toBe(server.app.tls.fingerprint);
    expect(server.app.tls.shortFingerprint).toBe(server.app.tls.fingerprint!.slice(0, 16));
  });

  it('is valid for the IP address and the mDNS host name too', async () => {
    expect((await httpsRequest({ ...base(), path: '/api/v1/ping' })).status).toBe(200);
    expect((await httpsRequest({ ...base(), path: '/api/v1/ping', servername: 'iclood.local' })).status).toBe(
      200,
    );
    await expect(
      httpsRequest({ ...base(), path: '/api/v1/ping', servername: 'elsewhere.local' }),
    ).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('is refused by a client that does not trust the local CA', async () => {
    await expect(httpsRequest({ host: '127.0.0.1', port, path: '/api/v1/ping' })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('runs the same app: request.protocol is https there, and the session cookie is Secure', async () => {
    const viaHttps = await httpsRequest({ ...base(), path: '/api/v1/test/protocol' });
    expect(JSON.parse(viaHttps.body).data).toEqual({ protocol: 'https' });
    const viaHttp = await server.app.inject({ url: '/api/v1/test/protocol' });
    expect(viaHttp.json().data).toEqual({ protocol: 'http' });

    const setup = await httpsRequest({
      ...base(),
      method: 'POST',
      path: '/api/v1/setup',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OWNER),
    });
    expect(setup.status).toBe(201);
    const cookie = String(setup.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/;\s*Secure/i);
  });

  it('puts that fingerprint and an https URL in the pairing QR payload', async () => {
    // The owner made in the test above.
    const session = (
      await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER })
    ).json().data.token;
    const pairing = await server.app.inject({
      method: 'POST',
      url: '/api/v1/pairing',
      headers: { authorization: `Bearer ${session}` },
    });
    const payload = parsePairingPayload(pairing.json().data.qrPayload);
    const served = await httpsRequest({ ...base(), path: '/api/v1/ping', servername: 'localhost' });
    expect(payload.fingerprint).toBe(createHash('sha256').update(served.peerSpki).digest('base64url'));
    expect(payload.urls.some((url) => url.startsWith('https://'))).toBe(true);
  });

  it('serves the CA over HTTPS as well', async () => {
    const answer = await httpsRequest({ ...base(), path: '/api/v1/system/ca.pem' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(server.app.tls.caPem);
  });

  it('finishes an in-flight HTTPS request on close, then stops accepting', async () => {
    const inFlight = httpsRequest({ ...base(), path: '/api/v1/test/slow' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.app.close();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).data).toEqual({ finished: true });
    expect(answer.headers.connection).toBe('close');
    await closing;
    await expect(httpsRequest({ ...base(), path: '/api/v1/ping' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

describe('HTTPS off', () => {
  it('creates no certificates and listen() does nothing', async () => {
    const server = await startTestServer(databaseTargets[0]!, {}, {});
    try {
      expect(server.app.tls).toEqual({ enabled: false });
      expect(await server.app.httpsListener.listen({ port: 0 })).toBeUndefined();
      const { readdir } = await import('node:fs/promises');
      expect((await readdir(`${server.dataDir}/secrets`)).filter((name) => name.endsWith('.pem'))).toEqual(
        [],
      );
    } finally {
      await server.close();
    }
  });
});
