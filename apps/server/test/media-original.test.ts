import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { addMember, bearer, databaseTargets, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('serving originals ($label)', (target) => {
  const movie = buildMovie({
    keys: { 'com.apple.quicktime.creationdate': '2022-06-30T23:45:10+0100' },
    timescale: 600,
    duration: 600 * 12,
    tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
    mdatLength: 100_000,
  });
  const etag = `"${sha256Hex(movie)}"`;
  let movieId: string;

  const it = serverTest(target, {
    async seed({ owner, upload }) {
      movieId = await upload(owner, 'IMG_0300.MOV', movie);
    },
  }).extend(
    'original',
    ({ server, owner }) =>
      (id: string, headers: Record<string, string> = {}, query = '', method: 'GET' | 'HEAD' = 'GET') =>
        server.app.inject({
          method,
          url: `/api/v1/media/${id}/original${query}`,
          headers: { ...bearer(owner), ...headers },
        }),
  );

  it('streams the exact bytes with type, length, validators and no path', async ({
    server,
    owner,
    upload,
    original,
  }) => {
    const response = await original(movieId);
    expect(response.statusCode).toBe(200);
    expect(sha256Hex(response.rawPayload)).toBe(sha256Hex(movie));
    expect(response.headers).toMatchObject({
      'content-type': 'video/quicktime',
      'content-length': String(movie.length),
      etag,
      'accept-ranges': 'bytes',
      'cache-control': 'private',
      'last-modified': server.clock.now().toUTCString(),
    });
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(JSON.stringify(response.headers)).not.toContain(server.config.libraryDir);

    const jpeg = buildJpeg({ size: 30_000 });
    const jpegResponse = await original(await upload(owner, 'IMG_0001.JPG', jpeg));
    expect(jpegResponse.headers['content-type']).toBe('image/jpeg');
    expect(jpegResponse.rawPayload.equals(jpeg)).toBe(true);
  });

  it('HEAD answers the headers alone', async ({ original }) => {
    const response = await original(movieId, {}, '', 'HEAD');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(movie.length));
    expect(response.headers.etag).toBe(etag);
    expect(response.rawPayload.length).toBe(0);
  });

  it('serves each single Range form with 206 and Content-Range', async ({ original }) => {
    const size = movie.length;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=5000-999999999', 5000, size - 1],
      ['bytes=-999999999', 0, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await original(movieId, { range });
      expect(response.statusCode, range).toBe(206);
      expect(response.headers['content-range'], range).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers['content-length'], range).toBe(String(end - start + 1));
      expect(response.rawPayload.equals(movie.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers several ranges, or a range it cannot read, with the whole file', async ({ original }) => {
    for (const range of ['bytes=0-9,20-29', 'items=0-9', 'bytes=9-2']) {
      const response = await original(movieId, { range });
      expect(response.statusCode, range).toBe(200);
      expect(response.rawPayload.equals(movie), range).toBe(true);
    }
  });

  it('416 with Content-Range */size for a range past the end', async ({ original }) => {
    for (const range of [`bytes=${movie.length}-`, 'bytes=-0']) {
      const response = await original(movieId, { range });
      expect(response.statusCode, range).toBe(416);
      expect(response.headers['content-range']).toBe(`bytes */${movie.length}`);
      expect(response.json().error.code).toBe('RANGE_NOT_SATISFIABLE');
    }
  });

  it('304 for a matching If-None-Match; If-Range decides between the range and the whole file', async ({
    original,
  }) => {
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await original(movieId, { 'if-none-match': header });
      expect(response.statusCode, header).toBe(304);
      expect(response.rawPayload.length).toBe(0);
      expect(response.headers.etag).toBe(etag);
    }
    expect((await original(movieId, { 'if-none-match': '"other"' })).statusCode).toBe(200);

    const holds = await original(movieId, { range: 'bytes=0-9', 'if-range': etag });
    expect(holds.statusCode).toBe(206);
    expect(holds.rawPayload.equals(movie.subarray(0, 10))).toBe(true);
    const lastModified = (await original(movieId, {}, '', 'HEAD')).headers['last-modified'] as string;
    expect((await original(movieId, { range: 'bytes=0-9', 'if-range': lastModified })).statusCode).toBe(206);
    for (const stale of ['"0000"', `W/${etag}`, 'Thu, 01 Jan 2015 00:00:00 GMT']) {
      const changed = await original(movieId, { range: 'bytes=0-9', 'if-range': stale });
      expect(changed.statusCode, stale).toBe(200);
      expect(changed.rawPayload.equals(movie), stale).toBe(true);
    }
  });

  it('?download=1 names the original file, UTF-8 safe (RFC 6266)', async ({ owner, upload, original }) => {
    const photo = pngBytes(7);
    const id = await upload(owner, 'Été à Paris (1).png', photo);
    const response = await original(id, {}, '?download=1');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="Ete a Paris (1).png"; filename*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris%20%281%29.png`,
    );
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.rawPayload.equals(photo)).toBe(true);
    expect((await original(id, {}, '?download=0')).headers['content-disposition']).toBeUndefined();
  });

  it('404 for another user’s item, 400 for a malformed id, FILE_MISSING_ON_DISK when the file is gone', async ({
    server,
    owner,
    upload,
    original,
  }) => {
    const member = await addMember(server.app, owner, 'mia');
    const theirs = await server.app.inject({
      url: `/api/v1/media/${movieId}/original`,
      headers: bearer(member.token),
    });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.code).toBe('NOT_FOUND');
    expect((await original('not-a-uuid')).statusCode).toBe(400);

    const gone = await upload(owner, 'GONE.PNG', pngBytes(8));
    const row = await server.database.db
      .selectFrom('media')
      .select('rel_path')
      .where('id', '=', gone)
      .executeTakeFirstOrThrow();
    await rm(join(server.config.libraryDir, row.rel_path));
    const missing = await original(gone);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('FILE_MISSING_ON_DISK');
    expect(missing.body).not.toContain(row.rel_path);
  });

  it('serves a file whose name holds URL syntax (%, #, ?) or starts with a dot, byte for byte', async ({
    owner,
    upload,
    original,
  }) => {
    for (const [n, name] of ['100%25 sure #1?.png', '.hidden.png', '%2e%2e%2fescape.png'].entries()) {
      const bytes = pngBytes(20 + n);
      const id = await upload(owner, name, bytes);
      const response = await original(id);
      expect(response.statusCode, name).toBe(200);
      expect(response.rawPayload.equals(bytes), name).toBe(true);
    }
  });
});
