// ICLOOD_MAX_UPLOAD_BYTES: an optional ceiling on one upload, the same for raw bodies and forms.
// Below it every size is taken (no leftover 1 MiB JSON limit); above it a clear 413 FILE_TOO_LARGE,
// with nothing left in the library's temp folder.
import { Readable } from 'node:stream';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, multipartBody } from './helper.js';
import { serverTest } from './server-test.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';

const MAX_BYTES = 2 * 1024 * 1024;

describe.each(databaseTargets)('ICLOOD_MAX_UPLOAD_BYTES ($label)', (target) => {
  let underLimit: Buffer;
  let overLimit: Buffer;
  const it = serverTest(target, {
    env: { ICLOOD_MAX_UPLOAD_BYTES: '2MiB' },
    phone: true,
    async seed() {
      [underLimit, overLimit] = await Promise.all([noiseJpeg(1200), noiseJpeg(1600)]);
      expect(underLimit.length).toBeGreaterThan(1024 * 1024); // past the old 1 MiB multipart cap
      expect(underLimit.length).toBeLessThan(MAX_BYTES);
      expect(overLimit.length).toBeGreaterThan(MAX_BYTES);
    },
  }).extend(
    'expectTooLarge',
    ({ server }) =>
      async (response: { statusCode: number; json(): { error: { code: string } } }) => {
        expect(response.statusCode).toBe(413);
        expect(response.json().error.code).toBe('FILE_TOO_LARGE');
        expect(await filesUnder(server.app.layout.libraryTmpDir)).toEqual([]);
      },
  );

  const form = (photo: Buffer, name: string) =>
    multipartBody([{ name: 'file', filename: name, data: photo, contentType: 'image/jpeg' }]);

  it('takes a photo under the limit, raw and as a form', async ({ server, phone }) => {
    const raw = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=under.jpg',
      headers: bearer(phone.token),
      payload: underLimit,
    });
    expect(raw.statusCode, raw.body).toBe(201);
    const again = form(underLimit, 'under-form.jpg');
    const multipart = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { ...bearer(phone.token), ...again.headers },
      payload: again.payload,
    });
    expect(multipart.statusCode, multipart.body).toBe(200); // the same bytes: a duplicate, stored once
    expect(multipart.json().data.id).toBe(raw.json().data.id);
  });

  it('refuses a raw body over the limit by its Content-Length', async ({ server, phone, expectTooLarge }) => {
    await expectTooLarge(
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=over.jpg',
        headers: bearer(phone.token),
        payload: overLimit,
      }),
    );
  });

  it('refuses a raw body over the limit sent without a length, where it passes the limit', async ({
    server,
    phone,
    expectTooLarge,
  }) => {
    await expectTooLarge(
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=over-chunked.jpg',
        headers: { ...bearer(phone.token), 'transfer-encoding': 'chunked' },
        payload: Readable.from([overLimit.subarray(0, 1_000_000), overLimit.subarray(1_000_000)]),
      }),
    );
  });

  it('refuses a form whose file is over the limit', async ({ server, phone, expectTooLarge }) => {
    const body = form(overLimit, 'over-form.jpg');
    await expectTooLarge(
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload',
        headers: { ...bearer(phone.token), ...body.headers },
        payload: body.payload,
      }),
    );
    const rows = await server.database.db.selectFrom('media').select('original_name').execute();
    expect(rows.map((row) => row.original_name)).toEqual(['under.jpg']);
  });
});
