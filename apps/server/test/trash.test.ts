import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { thumbnailPath } from '@iclood/storage';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, multipartBody, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

const DAY = 86_400_000;

describe.each(databaseTargets)('the trash ($label)', (target) => {
  let seed = 0;

  const it = serverTest(target, { env: { ICLOOD_TRASH_DAYS: '7' }, member: 'mia' })
    .extend(
      'uploadPng',
      ({ upload }) =>
        async (token: string, filename: string, data = pngBytes(++seed)) => ({
          id: await upload(token, filename, data),
          data,
        }),
    )
    /** Both thumbnails of an item, as the thumbnail jobs would have written them. */
    .extend('fakeThumbnails', ({ server }) => async (id: string): Promise<string[]> => {
      const paths = (['small', 'preview'] as const).map((size) =>
        thumbnailPath(server.app.layout.thumbsDir, id, size),
      );
      for (const path of paths) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, Buffer.alloc(300, 1));
      }
      return paths;
    })
    .extend(
      'trashIds',
      ({ api }) =>
        async (token?: string) =>
          (
            (await api('GET', '/trash?limit=500', undefined, token)).json().data.items as Array<{
              id: string;
            }>
          ).map((item) => item.id),
    )
    .extend(
      'libraryFiles',
      ({ server }) =>
        () =>
          filesUnder(server.config.libraryDir).then((files) => files.filter((f) => !f.startsWith('.tmp'))),
    )
    .extend(
      'rowCount',
      ({ server }) =>
        async () =>
          Number(
            (
              await server.database.db
                .selectFrom('media')
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ),
    );

  it.beforeEach(async ({ api, member }) => {
    // Each test starts with empty trashes.
    await api('DELETE', '/trash');
    await api('DELETE', '/trash', undefined, member.token);
  });

  it('lists the trash newest-deleted first, page by page, with when each item will be purged', async ({
    server,
    owner,
    member,
    api,
    uploadPng,
    trashIds,
  }) => {
    const items = [];
    for (let i = 0; i < 5; i++) items.push(await uploadPng(owner, `T_${i}.PNG`));
    const deletedAt: string[] = [];
    for (const item of items) {
      server.clock.advance(60_000);
      deletedAt.push(server.clock.now().toISOString());
      expect((await api('DELETE', `/media/${item.id}`)).statusCode).toBe(200);
    }
    const first = await api('GET', '/trash?limit=2');
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json().data;
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      id: items[4]!.id,
      name: 'T_4.PNG',
      type: 'photo',
      trashedAt: deletedAt[4],
      purgeAt: new Date(Date.parse(deletedAt[4]!) + 7 * DAY).toISOString(),
    });
    const ids = page.items.map((item: { id: string }) => item.id);
    let cursor = page.nextCursor as string | null;
    while (cursor) {
      const next = (await api('GET', `/trash?limit=2&cursor=${cursor}`)).json().data;
      ids.push(...next.items.map((item: { id: string }) => item.id));
      cursor = next.nextCursor;
    }
    expect(ids).toEqual(items.map((item) => item.id).reverse());
    expect(await trashIds(member.token)).toEqual([]);
    expect((await api('GET', '/trash?cursor=bm9wZQ')).statusCode).toBe(400);
  });

  it('empties the trash: originals, both thumbnails and rows go; what is not trashed stays', async ({
    server,
    owner,
    api,
    uploadPng,
    fakeThumbnails,
    libraryFiles,
    rowCount,
  }) => {
    const keep = await uploadPng(owner, 'KEEP.PNG');
    const doomed = [await uploadPng(owner, 'GONE_1.PNG'), await uploadPng(owner, 'GONE_2.PNG')];
    const keptThumbs = await fakeThumbnails(keep.id);
    const doomedThumbs = [await fakeThumbnails(doomed[0]!.id), await fakeThumbnails(doomed[1]!.id)];
    const album = await api('POST', '/albums', { name: 'Soon empty' });
    await api('POST', `/albums/${album.json().data.id}/media`, { ids: [keep.id, doomed[0]!.id] });
    const before = await libraryFiles();
    const rowsBefore = await rowCount();
    await api('POST', '/media/batch/delete', { ids: doomed.map((item) => item.id) });

    const emptied = await api('DELETE', '/trash');
    expect(emptied.statusCode, emptied.body).toBe(200);
    const bytes = doomed.reduce((sum, item) => sum + item.data.length, 0) + 4 * 300;
    expect(emptied.json().data).toEqual({ items: 2, bytes });

    expect(await libraryFiles()).toEqual(before.filter((file) => !/GONE_/.test(file)));
    expect(before.filter((file) => /GONE_/.test(file))).toHaveLength(2);
    const thumbsLeft = (await filesUnder(server.app.layout.thumbsDir)).map((file) =>
      join(server.app.layout.thumbsDir, file),
    );
    expect(thumbsLeft).toEqual(expect.arrayContaining(keptThumbs));
    for (const path of doomedThumbs.flat()) expect(thumbsLeft).not.toContain(path);
    expect(await rowCount()).toBe(rowsBefore - 2);
    expect((await api('GET', `/media/${doomed[0]!.id}`)).statusCode).toBe(404);
    expect((await api('GET', `/media/${keep.id}`)).statusCode).toBe(200);
    expect((await api('GET', `/albums/${album.json().data.id}`)).json().data.itemCount).toBe(1);
    // No removal intent is left behind.
    expect(await filesUnder(join(server.config.libraryDir, '.tmp'))).toEqual([]);
    expect((await api('DELETE', '/trash')).json().data).toEqual({ items: 0, bytes: 0 });
  });

  it('deletes some items for good, only from the caller’s own trash', async ({
    owner,
    member,
    api,
    uploadPng,
    trashIds,
  }) => {
    const mine = [
      await uploadPng(owner, 'A.PNG'),
      await uploadPng(owner, 'B.PNG'),
      await uploadPng(owner, 'C.PNG'),
    ];
    const theirs = await uploadPng(member.token, 'THEIRS.PNG');
    await api('POST', '/media/batch/delete', { ids: mine.map((item) => item.id) });
    await api('DELETE', `/media/${theirs.id}`, undefined, member.token);

    // Not in the trash (C restored) or not mine: skipped.
    await api('POST', '/trash/restore', { ids: [mine[2]!.id] });
    const deleted = await api('POST', '/trash/delete', { ids: [mine[0]!.id, mine[2]!.id, theirs.id] });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().data).toEqual({ items: 1, bytes: mine[0]!.data.length });
    expect(await trashIds()).toEqual([mine[1]!.id]);
    expect((await api('GET', `/media/${mine[2]!.id}`)).statusCode).toBe(200);

    // The member's item survived the owner's delete, empty and restore.
    await api('DELETE', '/trash');
    expect((await api('POST', '/trash/restore', { ids: [theirs.id] })).json().data.count).toBe(0);
    expect(await trashIds(member.token)).toEqual([theirs.id]);
    const original = await api('GET', `/media/${theirs.id}/original`, undefined, member.token);
    expect(original.rawPayload.equals(theirs.data)).toBe(true);
    expect((await api('POST', '/trash/delete', { ids: [] })).statusCode).toBe(400);
  });

  it('counts a trashed item as a duplicate on upload and check, telling the client it is in the trash', async ({
    server,
    owner,
    api,
    uploadPng,
    trashIds,
    rowCount,
  }) => {
    const item = await uploadPng(owner, 'IMG_7000.PNG');
    await api('DELETE', `/media/${item.id}`);
    const filesBefore = await filesUnder(server.config.libraryDir);
    const rowsBefore = await rowCount();

    const raw = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=IMG_7000_again.PNG',
      headers: bearer(owner),
      payload: item.data,
    });
    expect(raw.statusCode, raw.body).toBe(200);
    expect(raw.json().data).toEqual({ id: item.id, status: 'duplicate', trashed: true });
    const form = multipartBody([{ name: 'file', filename: 'copy.png', data: item.data }]);
    const multipart = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { ...bearer(owner), ...form.headers },
      payload: form.payload,
    });
    expect(multipart.json().data).toEqual({ id: item.id, status: 'duplicate', trashed: true });
    const check = await api('POST', '/media/check', {
      items: [{ key: 'k', sha256: sha256Hex(item.data) }],
    });
    expect(check.json().data.results).toEqual([
      { key: 'k', state: 'duplicate', mediaId: item.id, trashed: true },
    ]);

    expect(await filesUnder(server.config.libraryDir)).toEqual(filesBefore);
    expect(await rowCount()).toBe(rowsBefore);
    expect(await trashIds()).toEqual([item.id]);
  });
});
