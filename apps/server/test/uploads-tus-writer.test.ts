// A resumable upload while a PATCH is still writing it, over real sockets: cancelling (DELETE)
// stops that PATCH and removes the upload at once, and a HEAD asked just as a connection dropped
// answers the offset the cut part reached, once the server has wound it up.
import { stat } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, pngBytes } from './helper.js';
import { serverTest, type ServerContext } from './server-test.js';

const TUS = { 'tus-resumable': '1.0.0' };

describe.each(databaseTargets)('a resumable upload while a PATCH writes it ($label)', (target) => {
  const it = serverTest(target, { phone: true, listen: true });

  type Server = ServerContext['server'];

  async function created(server: Server, token: string, length: number, filename: string): Promise<string> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        ...bearer(token),
        ...TUS,
        'upload-length': String(length),
        'upload-metadata': `filename ${Buffer.from(filename).toString('base64')}`,
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return String(response.headers.location);
  }

  /**
   * A PATCH at offset 0 over a real socket that sends `first` bytes of `file` and then waits,
   * resolved once the server has those bytes in the upload's file.
   */
  async function slowPatch(
    server: Server,
    base: string,
    token: string,
    url: string,
    file: Buffer,
    first: number,
  ) {
    const slow = request(new URL(url, base), {
      method: 'PATCH',
      headers: {
        ...bearer(token),
        ...TUS,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(file.length),
      },
    });
    const answered = new Promise<{ status: number; body: string } | 'closed'>((resolve) => {
      slow.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
        response.on('error', () => resolve('closed'));
      });
      slow.on('error', () => resolve('closed'));
    });
    slow.write(file.subarray(0, first));
    const partFile = join(server.config.libraryDir, '.tmp', 'resumable', url.split('/').pop()!);
    while ((await stat(partFile)).size < first) await new Promise((resolve) => setTimeout(resolve, 10));
    return { slow: slow as ClientRequest, answered, partFile };
  }

  it('DELETE stops the PATCH still writing and removes the upload at once', async ({
    server,
    base,
    phone,
  }) => {
    const file = pngBytes(8101, 64);
    const url = await created(server, phone.token, file.length, 'IMG_8101.PNG');
    const { slow, answered, partFile } = await slowPatch(server, base, phone.token, url, file, 50);

    const terminated = await server.app.inject({
      method: 'DELETE',
      url,
      headers: { ...bearer(phone.token), ...TUS },
    });
    expect(terminated.statusCode, terminated.body).toBe(204);
    // The PATCH was stopped: it is answered (or its connection closed), and nothing is left.
    const answer = await answered;
    if (answer !== 'closed') {
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('UPLOAD_ABORTED');
    }
    slow.destroy();
    await expect(stat(partFile)).rejects.toMatchObject({ code: 'ENOENT' });
    const gone = await server.app.inject({
      method: 'HEAD',
      url,
      headers: { ...bearer(phone.token), ...TUS },
    });
    expect(gone.statusCode).toBe(404);
  });

  it('HEAD asked while a dropped PATCH is being wound up answers the offset that part reached', async ({
    server,
    base,
    phone,
  }) => {
    const file = pngBytes(8102, 64);
    const url = await created(server, phone.token, file.length, 'IMG_8102.PNG');
    const { slow } = await slowPatch(server, base, phone.token, url, file, 120);

    // Asked while the PATCH still writes: the answer waits for it to settle.
    const asked = server.app.inject({ method: 'HEAD', url, headers: { ...bearer(phone.token), ...TUS } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    slow.destroy();
    const where = await asked;
    expect(where.statusCode).toBe(200);
    expect(where.headers['upload-offset']).toBe('120');

    // The rest from there completes the upload.
    const rest = await server.app.inject({
      method: 'PATCH',
      url,
      headers: {
        ...bearer(phone.token),
        ...TUS,
        'upload-offset': '120',
        'content-type': 'application/offset+octet-stream',
      },
      payload: file.subarray(120),
    });
    expect(rest.statusCode, rest.body).toBe(201);
    expect(rest.json().data.status).toBe('created');
  });
});
