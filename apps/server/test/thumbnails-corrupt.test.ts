import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { pngBomb, rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('originals that cannot become thumbnails ($label)', (target) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(() => void process.on('unhandledRejection', onUnhandled));
  const it = serverTest(target).extend(
    'expectFailedForGood',
    ({ server, owner }) =>
      async (id: string, error: RegExp) => {
        const job = await server.database.db
          .selectFrom('jobs')
          .select(['status', 'attempts', 'last_error'])
          .where('media_id', '=', id)
          .executeTakeFirstOrThrow();
        // Retrying cannot mend the bytes: one attempt, then given up on.
        expect(job).toMatchObject({
          status: 'failed',
          attempts: 1,
          last_error: expect.stringMatching(error),
        });
        const detail = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) });
        expect(detail.json().data.thumbnail).toBe('failed');
        for (const size of ['small', 'preview']) {
          const response = await server.app.inject({
            url: `/api/v1/media/${id}/thumbnail?size=${size}`,
            headers: bearer(owner),
          });
          expect(response.statusCode).toBe(404);
          expect(response.json().error.code).toBe('THUMBNAIL_FAILED');
        }
      },
  );
  // Registered after serverTest's afterAll, so it runs first: the listener goes before the server closes.
  afterAll(() => void process.off('unhandledRejection', onUnhandled));

  it('marks a corrupt JPEG and a corrupt HEIC failed, and the server carries on', async ({
    server,
    owner,
    upload,
    expectFailedForGood,
  }) => {
    // Pass the sniffer (JPEG SOI + APP0 marker / an ftyp heic box), then nothing decodable.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), randomBytes(5000)]);
    const heic = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
      randomBytes(4000),
    ]);
    const badJpeg = await upload(owner, 'IMG_0001.JPG', jpeg);
    const badHeic = await upload(owner, 'IMG_0002.HEIC', heic);
    const good = await upload(owner, 'IMG_0003.JPG', await rotatedJpeg(30, 20, 1));
    await server.app.jobs.drain();

    await expectFailedForGood(badJpeg, /image\/jpeg could not be decoded/);
    await expectFailedForGood(badHeic, /image\/heic could not be decoded/);
    const fine = await server.app.inject({ url: `/api/v1/media/${good}/thumbnail`, headers: bearer(owner) });
    expect(fine.statusCode).toBe(200);
    expect((await server.app.inject({ url: '/ping' })).statusCode).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('refuses a decompression bomb at the pixel limit instead of decoding it', async ({
    server,
    owner,
    upload,
    expectFailedForGood,
  }) => {
    const bomb = await pngBomb(30_000, 30_000); // 900 MP, 1 bit each: ~100 KB on disk
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const id = await upload(owner, 'bomb.png', bomb);
    const rssBefore = process.memoryUsage().rss;
    await server.app.jobs.drain();
    await expectFailedForGood(id, /pixel limit/i);
    // Refused from the header: nothing near the 112 MB of its packed pixels was allocated.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    expect(unhandled).toEqual([]);
  });
});
