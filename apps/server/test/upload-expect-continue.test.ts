import { request } from 'node:http';
import { describe, expect } from 'vitest';
import { databaseTargets, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

interface Exchange {
  status: number;
  gotContinue: boolean;
  bodySent: boolean;
  body: string;
}

/** A real HTTP upload with `Expect: 100-continue`: the body is sent only if the server says 100. */
function uploadExpectingContinue(
  url: string,
  token: string,
  data: Buffer,
  sha256: string,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let gotContinue = false;
    let bodySent = false;
    const outgoing = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        expect: '100-continue',
        'content-type': 'image/png',
        'content-length': data.length,
        'x-content-sha256': sha256,
      },
    });
    outgoing.on('continue', () => {
      gotContinue = true;
      bodySent = true;
      outgoing.end(data);
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, gotContinue, bodySent, body });
        if (!bodySent) outgoing.destroy(); // a final answer came before 100: the body is never sent
      });
    });
    outgoing.on('error', (error) => (bodySent || gotContinue ? undefined : reject(error)));
    outgoing.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  const it = serverTest(databaseTargets[0]!, { phone: true, listen: true });

  it('a new photo gets 100 Continue, then 201; the same photo again is answered before its body', async ({
    base,
    phone,
  }) => {
    const photo = pngBytes(77);
    const first = await uploadExpectingContinue(
      `${base}/api/v1/media/upload?filename=c.png`,
      phone.token,
      photo,
      sha256Hex(photo),
    );
    expect(first).toMatchObject({ status: 201, gotContinue: true });

    const again = await uploadExpectingContinue(
      `${base}/api/v1/media/upload?filename=c2.png`,
      phone.token,
      photo,
      sha256Hex(photo),
    );
    expect(again.status).toBe(200);
    expect(again.gotContinue).toBe(false);
    expect(again.bodySent).toBe(false);
    expect(JSON.parse(again.body).data.status).toBe('duplicate');
  });

  it('other routes still answer 100 at once', async ({ base }) => {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { expect: '100-continue', 'content-type': 'application/json' },
      });
      outgoing.on('continue', () => outgoing.end(JSON.stringify({ username: 'owner', password: 'wrong' })));
      outgoing.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.flushHeaders();
    });
    expect(status).toBe(401);
  });
});
