import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { parsePairingPayload } from '@iclood/pairing';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, type TestServer } from './helper.js';
import { serverTest } from './server-test.js';

/** The parts of the envelopes this file reads. */
interface Envelope {
  data?: { forUser?: { username: string }; token?: string; device?: { id: string }; auth?: { kind: string } };
  error?: { code: string };
}

/** One call over real HTTPS, trusting the server's own CA as a phone with its profile would. */
async function overHttps(
  server: TestServer,
  port: number,
  path: string,
  options: { method?: string; json?: unknown; cookie?: string; origin?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Envelope }> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = request(
      { host: '127.0.0.1', port, ca: server.app.tls.caPem, path, method: options.method ?? 'GET', headers },
      resolve,
    );
    sent.on('error', reject);
    sent.end(options.json === undefined ? undefined : JSON.stringify(options.json));
  });
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return { status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as Envelope };
}

describe.each(databaseTargets)('a web device paired over HTTPS ($label)', (target) => {
  const it = serverTest(target, { https: true });

  it('gets an https pairing link, and a Secure device cookie that signs it in over HTTPS', async ({
    server,
    owner,
    httpsPort: port,
  }) => {
    const opened = await server.app.inject({
      method: 'POST',
      url: '/api/v1/pairing',
      headers: bearer(owner),
    });
    const link = opened.json().data.qrPayload as string;
    expect(link.startsWith(`https://127.0.0.1:${port}/pair#v=1&s=`)).toBe(true);
    const { secret, fingerprint } = parsePairingPayload(link);
    expect(fingerprint).toBe(server.app.tls.fingerprint);

    const preview = await overHttps(server, port, '/api/v1/auth/register/preview', {
      method: 'POST',
      json: { secret },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.data?.forUser?.username).toBe('owner');

    const registered = await overHttps(server, port, '/api/v1/auth/register', {
      method: 'POST',
      json: { secret, deviceName: 'Anna’s iPhone', platform: 'web' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.data?.token).toBeUndefined();
    const setCookie = [registered.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('iclood_device='));
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    const cookie = setCookie!.split(';')[0]!;

    const me = await overHttps(server, port, '/api/v1/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body.data?.auth?.kind).toBe('device');
    const deviceId = registered.body.data!.device!.id;
    const rename = (origin: string) =>
      overHttps(server, port, `/api/v1/devices/${deviceId}`, {
        method: 'PATCH',
        json: { name: 'Renamed' },
        cookie,
        origin,
      });
    expect((await rename('https://evil.example')).body.error?.code).toBe('CROSS_SITE_REQUEST');
    expect((await rename(`https://127.0.0.1:${port}`)).status).toBe(200);
  });
});
