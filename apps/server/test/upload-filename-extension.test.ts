import { describe, expect } from 'vitest';
import { unzipArchive } from './fixtures/unzip.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { shippedFixture } from './fixtures/pictures.js';
import { bearer, databaseTargets, filesUnder } from './helper.js';
import { serverTest } from './server-test.js';

/**
 * An iOS Shortcut names a photo without its extension ("IMG_0001"): the library file gets the
 * extension of the type sniffed from the bytes, and so do the names the item is shown, downloaded
 * and restored under; the row keeps the name as sent, which the Shortcut's next check asks about.
 */
describe.each(databaseTargets)('a raw upload named without an extension ($label)', (target) => {
  let shortcut: string;
  const it = serverTest(target, {
    async seed({ api }) {
      const created = await api('POST', '/devices', { name: 'Shortcut', platform: 'shortcuts' });
      shortcut = created.json().data.token;
    },
  })
    .extend(
      'shortcutUpload',
      ({ upload }) =>
        (filename: string, bytes: Buffer, createdAt = '2026-03-10T08:15:00Z') =>
          upload(shortcut, filename, bytes, createdAt),
    )
    .extend(
      'detail',
      ({ api }) =>
        async (id: string) =>
          (await api('GET', `/media/${id}`)).json().data,
    );

  it('IMG_0001 with JPEG bytes is stored, shown, downloaded and restored as IMG_0001.jpg', async ({
    server,
    owner,
    shortcutUpload,
    detail,
  }) => {
    const photo = await noiseJpeg(2800, 2100);
    expect(photo.length).toBeGreaterThan(4_000_000);
    const id = await shortcutUpload('IMG_0001', photo);

    expect(await detail(id)).toMatchObject({
      name: 'IMG_0001.jpg',
      originalName: 'IMG_0001',
      displayName: 'IMG_0001.jpg',
      mime: 'image/jpeg',
      size: photo.length,
    });
    const relPath = (await detail(id)).relPath as string;
    expect(relPath).toMatch(/^owner\/\d{4}\/\d{2}\/IMG_0001\.jpg$/);
    expect(await filesUnder(server.config.libraryDir)).toContain(relPath);

    const download = await server.app.inject({
      url: `/api/v1/media/${id}/original?download=1`,
      headers: bearer(owner),
    });
    expect(download.headers['content-disposition']).toContain('filename="IMG_0001.jpg"');
    expect(download.rawPayload.equals(photo)).toBe(true);

    const restore = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: bearer(owner),
      payload: { ids: [id] },
    });
    expect(restore.statusCode).toBe(200);
    const unzipped = await unzipArchive(restore.rawPayload);
    expect([...unzipped.files.keys()]).toEqual([expect.stringMatching(/(^|\/)IMG_0001\.jpg$/)]);
    expect([...unzipped.files.values()][0]!.bytes.equals(photo)).toBe(true);

    // The Shortcut checks by the name it sends: still found, so it is not sent again.
    const check = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/check',
      headers: bearer(shortcut),
      payload: { items: [{ key: 'a', name: 'IMG_0001', size: photo.length }] },
    });
    expect(check.json().data.results).toEqual([
      { key: 'a', state: 'duplicate', mediaId: id, trashed: false },
    ]);
  });

  it('HEIC and QuickTime bytes get .heic and .mov; a name with an extension keeps it', async ({
    shortcutUpload,
    detail,
  }) => {
    const heic = await shortcutUpload('IMG_0002', shippedFixture('rotated-64x48.heic'));
    expect(await detail(heic)).toMatchObject({ name: 'IMG_0002.heic', originalName: 'IMG_0002' });
    expect((await detail(heic)).relPath).toMatch(/\/IMG_0002\.heic$/);

    const mov = await shortcutUpload('IMG_0003', shippedFixture('testsrc-portrait.mov'));
    expect(await detail(mov)).toMatchObject({
      name: 'IMG_0003.mov',
      originalName: 'IMG_0003',
      type: 'video',
    });
    expect((await detail(mov)).relPath).toMatch(/\/IMG_0003\.mov$/);

    const named = await shortcutUpload('IMG_0004.JPG', await noiseJpeg(64));
    expect(await detail(named)).toMatchObject({
      name: 'IMG_0004.JPG',
      originalName: 'IMG_0004.JPG',
      displayName: null,
    });
    expect((await detail(named)).relPath).toMatch(/\/IMG_0004\.JPG$/);
  });

  it('a second IMG_0001 in the same month is IMG_0001 (2).jpg', async ({ shortcutUpload, detail }) => {
    const id = await shortcutUpload('IMG_0001', await noiseJpeg(64));
    expect((await detail(id)).relPath).toMatch(/\/IMG_0001 \(2\)\.jpg$/);
    expect((await detail(id)).name).toBe('IMG_0001.jpg');
  });
});
