import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, multipartBody, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

interface AlbumBody {
  id: string;
  name: string;
  itemCount: number;
}

describe.each(databaseTargets)('the upload field `albums` ($label)', (target) => {
  const it = serverTest(target, { phone: true })
    .extend(
      'albums',
      ({ api }) =>
        async () =>
          ((await api('GET', '/albums')).json().data.items as AlbumBody[]).map((album) => [
            album.name,
            album.itemCount,
          ]),
    )
    .extend(
      'albumsOf',
      ({ api }) =>
        async (id: string) =>
          ((await api('GET', `/media/${id}`)).json().data.albums as Array<{ name: string }>).map(
            (album) => album.name,
          ),
    )
    .extend(
      'rawUpload',
      ({ server, phone }) =>
        (filename: string, data: Buffer, query = '', headers: Record<string, string> = {}) =>
          server.app.inject({
            method: 'POST',
            url: `/api/v1/media/upload?filename=${encodeURIComponent(filename)}${query}`,
            headers: { ...bearer(phone.token), ...headers },
            payload: data,
          }),
    )
    .extend(
      'multipartUpload',
      ({ server, phone }) =>
        (filename: string, data: Buffer, albumNames: string[]) => {
          const form = multipartBody([
            ...albumNames.map((value) => ({ name: 'albums', value })),
            { name: 'file', filename, data },
          ]);
          return server.app.inject({
            method: 'POST',
            url: '/api/v1/media/upload',
            headers: { ...bearer(phone.token), ...form.headers },
            payload: form.payload,
          });
        },
    );

  it('puts a multipart upload into the albums named, creating them', async ({
    albums,
    albumsOf,
    multipartUpload,
  }) => {
    const response = await multipartUpload('IMG_1.PNG', pngBytes(1), ['Holidays', 'Family']);
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().data.id as string;
    expect(await albumsOf(id)).toEqual(['Family', 'Holidays']);
    expect(await albums()).toEqual([
      ['Family', 1],
      ['Holidays', 1],
    ]);
  });

  it('puts a raw upload into the albums named in the query, matching existing ones in any case', async ({
    albums,
    albumsOf,
    rawUpload,
  }) => {
    const one = await rawUpload('IMG_2.PNG', pngBytes(2), '&albums=holidays');
    expect(one.statusCode, one.body).toBe(201);
    expect(await albumsOf(one.json().data.id)).toEqual(['Holidays']);
    const two = await rawUpload(
      'IMG_3.PNG',
      pngBytes(3),
      `&albums=${encodeURIComponent(' Road trip ')}&albums=FAMILY`,
    );
    expect(two.statusCode, two.body).toBe(201);
    expect(await albumsOf(two.json().data.id)).toEqual(['Family', 'Road trip']);
    expect(await albums()).toEqual([
      ['Family', 2],
      ['Holidays', 2],
      ['Road trip', 1],
    ]);
  });

  it('adds a duplicate to the new albums too, without storing anything again', async ({
    server,
    owner,
    albums,
    albumsOf,
    rawUpload,
    multipartUpload,
  }) => {
    const data = pngBytes(4);
    const first = await rawUpload('IMG_4.PNG', data);
    const id = first.json().data.id as string;
    const files = await filesUnder(server.config.libraryDir);

    const resent = await multipartUpload('IMG_4.PNG', data, ['Best of']);
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json().data).toEqual({ id, status: 'duplicate' });
    // Known by its hash before the body is read: still added.
    const known = await rawUpload('IMG_4.PNG', data, '&albums=Favourites', {
      'x-content-sha256': sha256Hex(data),
    });
    expect(known.json().data).toEqual({ id, status: 'duplicate' });
    expect(await albumsOf(id)).toEqual(['Best of', 'Favourites']);
    expect(await filesUnder(server.config.libraryDir)).toEqual(files);

    // A trashed duplicate joins the album but stays in the trash (not counted).
    await server.app.inject({ method: 'DELETE', url: `/api/v1/media/${id}`, headers: bearer(owner) });
    const trashed = await rawUpload('IMG_4.PNG', data, '&albums=Old%20stuff');
    expect(trashed.json().data).toEqual({ id, status: 'duplicate', trashed: true });
    expect(await albumsOf(id)).toEqual(['Best of', 'Favourites', 'Old stuff']);
    expect((await albums()).find(([name]) => name === 'Old stuff')).toEqual(['Old stuff', 0]);
  });

  it('drops invisible bidi and zero-width characters from the album names of an upload', async ({
    albumsOf,
    rawUpload,
    multipartUpload,
  }) => {
    const multipart = await multipartUpload('IMG_40.PNG', pngBytes(40), ['\u202EsyadiloH', 'Pets\u200B']);
    expect(multipart.statusCode, multipart.body).toBe(201);
    expect(await albumsOf(multipart.json().data.id)).toEqual(['Pets', 'syadiloH']);
    const raw = await rawUpload(
      'IMG_41.PNG',
      pngBytes(41),
      `&albums=${encodeURIComponent('\u2067Pets\u2069')}`,
    );
    expect(raw.statusCode, raw.body).toBe(201);
    expect(await albumsOf(raw.json().data.id)).toEqual(['Pets']);
  });

  it('refuses bad album names and more than 20 albums, before storing anything', async ({
    server,
    albums,
    albumsOf,
    rawUpload,
    multipartUpload,
  }) => {
    const files = await filesUnder(server.config.libraryDir);
    const before = await albums();
    const tooMany = Array.from({ length: 21 }, (_, i) => `Album ${i}`);
    for (const response of [
      await multipartUpload('BAD_1.PNG', pngBytes(5), tooMany),
      await rawUpload(
        'BAD_2.PNG',
        pngBytes(6),
        tooMany.map((name) => `&albums=${encodeURIComponent(name)}`).join(''),
      ),
      await multipartUpload('BAD_3.PNG', pngBytes(7), ['   ']),
      await multipartUpload('BAD_4.PNG', pngBytes(8), ['tab\there']),
      await rawUpload('BAD_5.PNG', pngBytes(9), `&albums=${'x'.repeat(201)}`),
    ]) {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await filesUnder(server.config.libraryDir)).toEqual(files);
    expect(await albums()).toEqual(before);
    // Twenty, some named twice, are fine.
    const twenty = Array.from({ length: 20 }, (_, i) => `Album ${i}`);
    const ok = await multipartUpload('OK.PNG', pngBytes(10), [...twenty, 'Album 0']);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await albumsOf(ok.json().data.id)).toHaveLength(20);
  });
});
