import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { parsePairingPayload } from '@iclood/pairing';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, type TestServer } from './helper.js';
import { serverTest } from './server-test.js';

// jsqr is CommonJS: under NodeNext its callable decoder is the `default` property.
const jsQR = jsQRModule.default;

interface Opened {
  id: string;
  qrPayload: string;
  qrPayloadHttp?: string;
}

async function open(server: TestServer, owner: string): Promise<Opened> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/pairing',
    headers: bearer(owner),
  });
  expect(response.statusCode).toBe(201);
  return response.json().data as Opened;
}

/** What the QR image at `url` holds, read back as a phone's camera would. */
async function decodeQr(server: TestServer, owner: string, url: string): Promise<string | undefined> {
  const png = await server.app.inject({ url, headers: bearer(owner) });
  expect(png.statusCode).toBe(200);
  const image = PNG.sync.read(png.rawPayload);
  return jsQR(Uint8ClampedArray.from(image.data), image.width, image.height)?.data;
}

/** The pairing preview asked over plain HTTP (inject) and its `httpsUrl`. */
async function previewHttpsUrl(server: TestServer, secret: string): Promise<string | undefined> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register/preview',
    payload: { secret },
  });
  expect(response.statusCode).toBe(200);
  return response.json().data.httpsUrl as string | undefined;
}

describe.each(databaseTargets)('the plain-HTTP pairing link, with HTTPS on ($label)', (target) => {
  const it = serverTest(target, { https: true });

  it('is a second link with the same fields at the http URL, and its own QR image', async ({
    server,
    owner,
    base: httpUrl,
    httpsPort,
  }) => {
    const pairing = await open(server, owner);
    expect(pairing.qrPayload.startsWith(`https://127.0.0.1:${httpsPort}/pair#v=1&s=`)).toBe(true);
    expect(pairing.qrPayloadHttp?.startsWith(`${httpUrl}/pair#v=1&s=`)).toBe(true);
    const main = parsePairingPayload(pairing.qrPayload);
    const plain = parsePairingPayload(pairing.qrPayloadHttp!);
    expect(plain.secret).toBe(main.secret);
    expect(plain.code).toBe(main.code);
    expect(plain.serverId).toBe(main.serverId);
    expect(plain.fingerprint).toBe(server.app.tls.fingerprint);
    // The same URLs, plain HTTP first: the app still finds the https one.
    expect(plain.urls[0]).toBe(httpUrl);
    expect([...plain.urls].sort()).toEqual([...main.urls].sort());

    const base = `/api/v1/pairing/${pairing.id}/qr.png`;
    expect(await decodeQr(server, owner, base)).toBe(pairing.qrPayload);
    expect(await decodeQr(server, owner, `${base}?link=main`)).toBe(pairing.qrPayload);
    expect(await decodeQr(server, owner, `${base}?link=http`)).toBe(pairing.qrPayloadHttp);
    const svg = await server.app.inject({
      url: `/api/v1/pairing/${pairing.id}/qr.svg?link=http`,
      headers: bearer(owner),
    });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const bad = await server.app.inject({ url: `${base}?link=ftp`, headers: bearer(owner) });
    expect(bad.statusCode).toBe(400);
  });

  it('tells a page opened over plain HTTP where the secure page is, and one opened over HTTPS nothing', async ({
    server,
    owner,
    httpsPort,
  }) => {
    const { secret } = parsePairingPayload((await open(server, owner)).qrPayloadHttp!);
    expect(await previewHttpsUrl(server, secret)).toBe(`https://127.0.0.1:${httpsPort}`);

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const sent = request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          ca: server.app.tls.caPem,
          path: '/api/v1/auth/register/preview',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        resolve,
      );
      sent.on('error', reject);
      sent.end(JSON.stringify({ secret }));
    });
    let text = '';
    for await (const chunk of response) text += String(chunk);
    expect(response.statusCode).toBe(200);
    const data = (JSON.parse(text) as { data: Record<string, unknown> }).data;
    expect(data.forUser).toEqual({ username: 'owner', displayName: null });
    expect(data).not.toHaveProperty('httpsUrl');
  });
});

describe.each(databaseTargets)('the plain-HTTP pairing link, with HTTPS off ($label)', (target) => {
  const it = serverTest(target, { env: { HOST: '127.0.0.1' } });

  it('is not there: the one link is plain HTTP already', async ({ server, owner }) => {
    const pairing = await open(server, owner);
    expect(pairing.qrPayload.startsWith('http://')).toBe(true);
    expect(pairing).not.toHaveProperty('qrPayloadHttp');
    const image = await server.app.inject({
      url: `/api/v1/pairing/${pairing.id}/qr.png?link=http`,
      headers: bearer(owner),
    });
    expect(image.statusCode).toBe(404);
    expect(image.json().error.code).toBe('NOT_FOUND');
    expect(await previewHttpsUrl(server, parsePairingPayload(pairing.qrPayload).secret)).toBeUndefined();
  });
});
