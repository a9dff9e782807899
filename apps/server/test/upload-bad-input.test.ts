import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, multipartBody, pairPhone, pngBytes } from './helper.js';
import { serverTest, type Phone } from './server-test.js';

describe.each(databaseTargets)('bad uploads get a 4xx and leave nothing behind ($label)', (target) => {
  let otherPhone: Phone;
  const it = serverTest(target, {
    phone: 'phone',
    async seed({ server, owner }) {
      otherPhone = await pairPhone(server.app, owner, 'other phone');
    },
  }).extend(
    'expectRefused',
    ({ server, phone }) =>
      async (
        request: { url?: string; headers?: Record<string, string>; payload?: Buffer | string },
        status: number,
        code: string,
      ) => {
        const response = await server.app.inject({
          method: 'POST',
          url: request.url ?? '/api/v1/media/upload?filename=x.png',
          headers: { ...bearer(phone.token), ...request.headers },
          payload: request.payload,
        });
        expect(response.statusCode, response.body).toBe(status);
        expect(response.json().error.code).toBe(code);
        expect(await filesUnder(server.config.libraryDir)).toEqual([]);
        const rows = await server.database.db.selectFrom('media').select('id').execute();
        expect(rows).toEqual([]);
      },
  );

  it('truncated multipart', async ({ expectRefused }) => {
    const form = multipartBody([{ name: 'file', filename: 'a.png', data: pngBytes(1) }]);
    await expectRefused(
      {
        headers: form.headers,
        payload: form.payload.subarray(0, form.payload.length - 40),
        url: '/api/v1/media/upload',
      },
      400,
      'MALFORMED_MULTIPART',
    );
  });

  it('a form without a file part', async ({ expectRefused }) => {
    const form = multipartBody([{ name: 'localId', value: 'x' }]);
    await expectRefused(
      { headers: form.headers, payload: form.payload, url: '/api/v1/media/upload' },
      400,
      'FILE_MISSING',
    );
  });

  it('two file parts', async ({ expectRefused }) => {
    const form = multipartBody([
      { name: 'file', filename: 'a.png', data: pngBytes(2) },
      { name: 'file', filename: 'b.png', data: pngBytes(3) },
    ]);
    await expectRefused(
      { headers: form.headers, payload: form.payload, url: '/api/v1/media/upload' },
      400,
      'TOO_MANY_FILES',
    );
  });

  it('an oversized field', async ({ expectRefused }) => {
    const form = multipartBody([
      { name: 'originalPath', value: 'x'.repeat(70 * 1024) },
      { name: 'file', filename: 'a.png', data: pngBytes(4) },
    ]);
    await expectRefused(
      { headers: form.headers, payload: form.payload, url: '/api/v1/media/upload' },
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it.for(['../../etc/passwd.png', '/etc/cron.d/x.png', '..\\..\\x.png', '..'])(
    'the file name %s',
    async (name, { expectRefused }) => {
      await expectRefused(
        { url: `/api/v1/media/upload?filename=${encodeURIComponent(name)}`, payload: pngBytes(5) },
        400,
        'INVALID_FILENAME',
      );
      const form = multipartBody([{ name: 'file', filename: name, data: pngBytes(5) }]);
      await expectRefused(
        { headers: form.headers, payload: form.payload, url: '/api/v1/media/upload' },
        400,
        'INVALID_FILENAME',
      );
    },
  );

  it('an empty body', async ({ expectRefused }) => {
    await expectRefused(
      { payload: Buffer.alloc(0), headers: { 'content-type': 'image/png' } },
      400,
      'EMPTY_FILE',
    );
  });

  it.for(['application/json', 'text/plain', 'application/x-www-form-urlencoded'])(
    'the content type %s',
    async (type, { expectRefused }) => {
      await expectRefused(
        { headers: { 'content-type': type }, payload: '{"not":"a photo"}' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    },
  );

  it('text named .jpg (the type comes from the bytes)', async ({ expectRefused }) => {
    await expectRefused(
      {
        url: '/api/v1/media/upload?filename=holiday.jpg',
        payload: Buffer.from('just some text, honestly '.repeat(50)),
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('an invalid date', async ({ expectRefused }) => {
    await expectRefused(
      { url: '/api/v1/media/upload?filename=a.png&createdAt=yesterday', payload: pngBytes(6) },
      400,
      'VALIDATION_FAILED',
    );
    const form = multipartBody([
      { name: 'createdAt', value: '2024-13-45T99:00:00Z' },
      { name: 'file', filename: 'a.png', data: pngBytes(6) },
    ]);
    await expectRefused(
      { headers: form.headers, payload: form.payload, url: '/api/v1/media/upload' },
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a raw upload without a file name', async ({ expectRefused }) => {
    await expectRefused({ url: '/api/v1/media/upload', payload: pngBytes(7) }, 400, 'VALIDATION_FAILED');
  });

  it('a sessionId of another device', async ({ server, expectRefused }) => {
    const started = await server.app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(otherPhone.token),
      payload: {},
    });
    const sessionId = started.json().data.session.id;
    await expectRefused(
      { url: `/api/v1/media/upload?filename=a.png&sessionId=${sessionId}`, payload: pngBytes(8) },
      404,
      'NOT_FOUND',
    );
  });

  it('a wrong X-Content-SHA256', async ({ expectRefused }) => {
    await expectRefused(
      { headers: { 'x-content-sha256': 'ab'.repeat(32) }, payload: pngBytes(9) },
      400,
      'CHECKSUM_MISMATCH',
    );
  });

  it('no token, or a token without media.upload', async ({ server }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=a.png',
      payload: pngBytes(10),
    });
    expect(response.statusCode).toBe(401);
    expect(await filesUnder(join(server.config.libraryDir))).toEqual([]);
  });
});
