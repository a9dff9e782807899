import { rm, stat } from 'node:fs/promises';
import { thumbnailPath } from '@iclood/storage';
import { describe, expect } from 'vitest';
import { describeImage, rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('serving thumbnails ($label)', (target) => {
  let seed = 0;

  const it = serverTest(target, { member: 'mia' })
    .extend(
      'uploadJpeg',
      ({ owner, upload }) =>
        async (token = owner) =>
          upload(token, `IMG_${++seed}.JPG`, await rotatedJpeg(60, 40, seed)),
    )
    .extend(
      'thumbnail',
      ({ server, owner }) =>
        (id: string, token = owner, headers: Record<string, string> = {}, size = 'small') =>
          server.app.inject({
            url: `/api/v1/media/${id}/thumbnail?size=${size}`,
            headers: { ...bearer(token), ...headers },
          }),
    );

  it('says THUMBNAIL_PENDING with Retry-After until the job has run, then serves the file', async ({
    server,
    uploadJpeg,
    thumbnail,
  }) => {
    const id = await uploadJpeg();
    const pending = await thumbnail(id);
    expect(pending.statusCode).toBe(404);
    expect(pending.json().error.code).toBe('THUMBNAIL_PENDING');
    expect(pending.headers['retry-after']).toBe('5');
    expect(pending.headers['cache-control']).toBe('no-store');

    await server.app.jobs.drain();
    const ready = await thumbnail(id);
    expect(ready.statusCode).toBe(200);
    expect(ready.headers).toMatchObject({
      'content-type': 'image/webp',
      'cache-control': 'private, max-age=31536000, immutable',
      etag: expect.stringMatching(/^"small-[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/),
    });
    expect(JSON.stringify(ready.headers)).not.toContain(server.dataDir);
  });

  it('answers If-None-Match with 304, and a changed file gets a new ETag', async ({
    server,
    owner,
    uploadJpeg,
    thumbnail,
  }) => {
    const id = await uploadJpeg();
    await server.app.jobs.drain();
    const first = await thumbnail(id);
    const etag = first.headers.etag as string;
    const preview = await thumbnail(id, owner, {}, 'preview');
    expect(preview.headers.etag).not.toBe(etag);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const revalidated = await thumbnail(id, owner, { 'if-none-match': ifNoneMatch });
      expect(revalidated.statusCode, ifNoneMatch).toBe(304);
      expect(revalidated.rawPayload.length).toBe(0);
      expect(revalidated.headers.etag).toBe(etag);
    }
    expect((await thumbnail(id, owner, { 'if-none-match': '"stale"' })).statusCode).toBe(200);

    // Made again (its file went missing): the same URL now carries another tag.
    await rm(thumbnailPath(server.app.layout.thumbsDir, id, 'small'));
    const missing = await thumbnail(id);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('THUMBNAIL_PENDING');
    await server.app.jobs.drain();
    const remade = await thumbnail(id, owner, { 'if-none-match': etag });
    expect(remade.statusCode).toBe(200);
    expect(remade.headers.etag).not.toBe(etag);
    expect(await describeImage(remade.rawPayload)).toMatchObject({ width: 40, height: 60 });
  });

  it('keeps serving an item in the trash', async ({ server, owner, uploadJpeg, thumbnail }) => {
    const id = await uploadJpeg();
    await server.app.jobs.drain();
    const deleted = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/media/${id}`,
      headers: bearer(owner),
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    const response = await thumbnail(id);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
  });

  it('answers 404 for another user’s item and for ids that do not exist, and needs a token', async ({
    server,
    owner,
    member,
    uploadJpeg,
    thumbnail,
  }) => {
    const ofMember = await uploadJpeg(member.token);
    await server.app.jobs.drain();
    await stat(thumbnailPath(server.app.layout.thumbsDir, ofMember, 'small'));
    expect((await thumbnail(ofMember, member.token)).statusCode).toBe(200);

    const foreign = await thumbnail(ofMember, owner);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('NOT_FOUND');
    const unknown = await thumbnail('00000000-0000-4000-8000-000000000000');
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    expect((await thumbnail('not-an-id')).statusCode).toBe(400);
    const anonymous = await server.app.inject({ url: `/api/v1/media/${ofMember}/thumbnail` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('HEAD answers the headers alone', async ({ server, owner, uploadJpeg }) => {
    const id = await uploadJpeg();
    await server.app.jobs.drain();
    const head = await server.app.inject({
      method: 'HEAD',
      url: `/api/v1/media/${id}/thumbnail`,
      headers: bearer(owner),
    });
    expect(head.statusCode).toBe(200);
    const { size } = await stat(thumbnailPath(server.app.layout.thumbsDir, id, 'small'));
    expect(head.headers['content-length']).toBe(String(size));
    expect(head.rawPayload.length).toBe(0);
  });
});
