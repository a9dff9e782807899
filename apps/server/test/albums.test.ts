import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { addMember, databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

const DAY = 86_400_000;
const START = Date.parse('2024-05-01T12:00:00.000Z');

interface AlbumBody {
  id: string;
  name: string;
  itemCount: number;
  coverMediaId: string | null;
  chosenCoverMediaId: string | null;
  createdAt: string;
  updatedAt: string;
}

describe.each(databaseTargets)('albums ($label)', (target) => {
  /** 12 items; item i was taken on day i. */
  const items: string[] = [];
  let memberItem: string;

  const it = serverTest(target, {
    member: 'mia',
    async seed({ server, owner, member, upload }) {
      for (let i = 0; i < 12; i++) {
        server.clock.advance(1000);
        items.push(
          await upload(owner, `IMG_${i}.PNG`, pngBytes(10 + i), new Date(START + i * DAY).toISOString()),
        );
      }
      memberItem = await upload(member.token, 'MIA.PNG', pngBytes(99));
    },
  })
    .extend('createAlbum', ({ api }) => async (name: string, token?: string): Promise<AlbumBody> => {
      const response = await api('POST', '/albums', { name }, token);
      expect(response.statusCode, response.body).toBe(201);
      return response.json().data as AlbumBody;
    })
    .extend(
      'album',
      ({ api }) =>
        async (id: string, token?: string) =>
          (await api('GET', `/albums/${id}`, undefined, token)).json().data as AlbumBody,
    )
    .extend('listAll', ({ api }) => async (query: string, token?: string): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await api(
          'GET',
          `/media/list?limit=3&${query}${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          token,
        );
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json().data as { items: Array<{ id: string }>; nextCursor: string | null };
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    });

  it('creates, renames and deletes albums; names are trimmed and unique in any case', async ({
    server,
    member,
    api,
    createAlbum,
  }) => {
    const created = await createAlbum('  Summer 2024 ');
    expect(created).toMatchObject({
      name: 'Summer 2024',
      itemCount: 0,
      coverMediaId: null,
      chosenCoverMediaId: null,
      createdAt: server.clock.now().toISOString(),
    });
    const clash = await api('POST', '/albums', { name: 'SUMMER 2024' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.code).toBe('ALBUM_NAME_TAKEN');
    // Another user may use the same name.
    await createAlbum('summer 2024', member.token);

    const other = await createAlbum('Winter');
    const renameClash = await api('PATCH', `/albums/${other.id}`, { name: 'summer 2024' });
    expect(renameClash.statusCode).toBe(409);
    expect(renameClash.json().error.code).toBe('ALBUM_NAME_TAKEN');
    server.clock.advance(5000);
    const renamed = await api('PATCH', `/albums/${other.id}`, { name: 'Winter ❄️' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().data).toMatchObject({
      id: other.id,
      name: 'Winter ❄️',
      updatedAt: server.clock.now().toISOString(),
    });

    for (const body of [{ name: '  ' }, { name: 'x'.repeat(201) }, { name: 'new\nline' }, {}]) {
      const bad = await api('POST', '/albums', body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api('PATCH', `/albums/${other.id}`, {})).statusCode).toBe(400);
    expect((await createAlbum('y'.repeat(200))).name).toHaveLength(200);

    await api('POST', `/albums/${other.id}/media`, { ids: [items[0]] });
    const deleted = await api('DELETE', `/albums/${other.id}`);
    expect(deleted.json().data).toEqual({ deleted: true, id: other.id });
    expect((await api('GET', `/albums/${other.id}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/albums/${other.id}`)).statusCode).toBe(404);
    // Its items stay in the library.
    expect((await api('GET', `/media/${items[0]}`)).statusCode).toBe(200);
  });

  it('drops invisible bidi and zero-width characters from album names, as file names do', async ({
    api,
    createAlbum,
  }) => {
    expect((await createAlbum('\u202Egpj.exe')).name).toBe('gpj.exe');
    const hidden = await createAlbum('\u200BParty\uFEFF');
    expect(hidden.name).toBe('Party');
    // What shows the same is the same name.
    const lookalike = await api('POST', '/albums', { name: 'Par\u200Bty' });
    expect(lookalike.statusCode).toBe(409);
    expect(lookalike.json().error.code).toBe('ALBUM_NAME_TAKEN');
    const renamed = await api('PATCH', `/albums/${hidden.id}`, { name: '\u2066Party 2\u2069\u200E' });
    expect(renamed.json().data.name).toBe('Party 2');
    // Joiners are kept: the family emoji is one picture only with them.
    expect((await createAlbum('👨\u200D👩\u200D👧 Family')).name).toBe('👨\u200D👩\u200D👧 Family');

    const invisible = await api('POST', '/albums', { name: '\u200B\u202E \u2060' });
    expect(invisible.statusCode).toBe(400);
    expect(invisible.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'body/name', message: 'must not be empty' }],
    });
  });

  it('adds and removes items, counts them without the trash, and picks a cover', async ({
    api,
    createAlbum,
    album,
  }) => {
    const { id } = await createAlbum('Counted');
    const added = await api('POST', `/albums/${id}/media`, {
      ids: [items[1], items[2], items[3], memberItem],
    });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().data.count).toBe(3);
    expect(added.json().data.itemCount).toBe(3);
    expect([...added.json().data.ids].sort()).toEqual([items[1], items[2], items[3]].sort());
    const again = await api('POST', `/albums/${id}/media`, { ids: [items[1]] });
    expect(again.json().data).toEqual({ count: 0, ids: [], itemCount: 3 });
    // The cover is the newest taken unless one is chosen.
    expect(await album(id)).toMatchObject({ itemCount: 3, coverMediaId: items[3], chosenCoverMediaId: null });

    const chosen = await api('PATCH', `/albums/${id}`, { coverMediaId: items[1] });
    expect(chosen.json().data).toMatchObject({ coverMediaId: items[1], chosenCoverMediaId: items[1] });
    for (const cover of [items[5], memberItem, randomUUID()]) {
      const notInAlbum = await api('PATCH', `/albums/${id}`, { coverMediaId: cover });
      expect(notInAlbum.statusCode).toBe(422);
      expect(notInAlbum.json().error.code).toBe('ALBUM_COVER_NOT_IN_ALBUM');
    }

    // A trashed item is not counted, nor shown as the cover; restored, it is both again.
    await api('DELETE', `/media/${items[1]}`);
    expect(await album(id)).toMatchObject({
      itemCount: 2,
      coverMediaId: items[3],
      chosenCoverMediaId: items[1],
    });
    await api('POST', '/trash/restore', { ids: [items[1]] });
    expect(await album(id)).toMatchObject({ itemCount: 3, coverMediaId: items[1] });
    expect((await api('PATCH', `/albums/${id}`, { coverMediaId: null })).json().data.coverMediaId).toBe(
      items[3],
    );

    const removed = await api('DELETE', `/albums/${id}/media`, { ids: [items[3], items[7]] });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().data).toEqual({ count: 1, ids: [items[3]], itemCount: 2 });
    expect(await album(id)).toMatchObject({ coverMediaId: items[2] });
    const detail = await api('GET', `/media/${items[2]}`);
    expect(detail.json().data.albums).toEqual([{ id, name: 'Counted' }]);
    expect((await api('POST', `/albums/${id}/media`, { ids: [] })).statusCode).toBe(400);
    expect(
      (
        await api('POST', `/albums/${id}/media`, {
          ids: Array.from({ length: 1001 }, () => randomUUID()),
        })
      ).statusCode,
    ).toBe(400);
  });

  it('lists albums by name or most recently changed first', async ({ server, owner, api, createAlbum }) => {
    const { token } = await addMember(server.app, owner, 'noa');
    const zebra = await createAlbum('zebra', token);
    server.clock.advance(1000);
    const apple = await createAlbum('Apple', token);
    server.clock.advance(1000);
    const mango = await createAlbum('mango', token);
    const byName = await api('GET', '/albums', undefined, token);
    expect(byName.json().data.items.map((a: AlbumBody) => a.name)).toEqual(['Apple', 'mango', 'zebra']);
    const recent = async () =>
      (await api('GET', '/albums?sort=recent', undefined, token))
        .json()
        .data.items.map((a: AlbumBody) => a.id);
    expect(await recent()).toEqual([mango.id, apple.id, zebra.id]);
    server.clock.advance(1000);
    await api('PATCH', `/albums/${zebra.id}`, { name: 'Zebra' }, token);
    expect(await recent()).toEqual([zebra.id, mango.id, apple.id]);
    expect((await api('GET', '/albums?sort=size', undefined, token)).statusCode).toBe(400);
  });

  it('keeps every user to their own albums and items (404, never a change)', async ({
    member,
    api,
    createAlbum,
    album,
    listAll,
  }) => {
    const mine = await createAlbum('Private');
    await api('POST', `/albums/${mine.id}/media`, { ids: [items[4]] });
    const theirs = await createAlbum('Theirs', member.token);

    expect(
      (await api('GET', '/albums', undefined, member.token)).json().data.items.map((a: AlbumBody) => a.name),
    ).not.toContain('Private');
    for (const [method, url, payload] of [
      ['GET', `/albums/${mine.id}`, undefined],
      ['PATCH', `/albums/${mine.id}`, { name: 'Hijacked' }],
      ['DELETE', `/albums/${mine.id}`, undefined],
      ['POST', `/albums/${mine.id}/media`, { ids: [memberItem] }],
      ['DELETE', `/albums/${mine.id}/media`, { ids: [items[4]] }],
    ] as const) {
      const response = await api(method, url, payload, member.token);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    expect(await album(mine.id)).toMatchObject({ name: 'Private', itemCount: 1 });

    // The member cannot put the owner's item in their own album, nor see it through the list.
    const sneaky = await api(
      'POST',
      `/albums/${theirs.id}/media`,
      { ids: [items[4], memberItem] },
      member.token,
    );
    expect(sneaky.json().data).toEqual({ count: 1, ids: [memberItem], itemCount: 1 });
    expect(await listAll(`album=${theirs.id}`, member.token)).toEqual([memberItem]);
    expect(await listAll(`album=${mine.id}`, member.token)).toEqual([]);
    expect(await listAll(`album=${theirs.id}`)).toEqual([]);
    const detail = await api('GET', `/media/${items[4]}`);
    expect(detail.json().data.albums.map((a: { name: string }) => a.name)).toEqual(['Private']);
  });

  it('filters the media list by album and finds items by album name, page by page', async ({
    member,
    api,
    createAlbum,
    listAll,
  }) => {
    const { id } = await createAlbum('Côte d’Azur trip');
    const inAlbum = [items[0]!, items[3]!, items[6]!, items[8]!, items[9]!, items[11]!];
    await api('POST', `/albums/${id}/media`, { ids: inAlbum });
    const newestFirst = (ids: string[]) => [...ids].sort((a, b) => items.indexOf(b) - items.indexOf(a));

    expect(await listAll(`album=${id}`)).toEqual(newestFirst(inAlbum));
    expect(await listAll(`album=${id}&sort=uploaded`)).toEqual(newestFirst(inAlbum));
    const from = new Date(START + 5 * DAY).toISOString();
    expect(await listAll(`album=${id}&from=${from}`)).toEqual(
      newestFirst([items[6]!, items[8]!, items[9]!, items[11]!]),
    );
    expect(await listAll(`q=${encodeURIComponent('D’AZUR')}`)).toEqual(newestFirst(inAlbum));
    // File names still match, alongside album names.
    await api('PATCH', `/media/${items[2]}`, { name: 'Azure sky' });
    expect(await listAll('q=azur')).toEqual(newestFirst([...inAlbum, items[2]!]));
    expect(await listAll(`q=azur&album=${id}`)).toEqual(newestFirst(inAlbum));
    // Trashed items stay out of the album view.
    await api('DELETE', `/media/${items[11]}`);
    expect(await listAll(`album=${id}`)).toEqual(newestFirst(inAlbum.slice(0, 5)));
    await api('POST', '/trash/restore', { ids: [items[11]] });
    expect(await listAll('q=azur', member.token)).toEqual([]);
    const malformed = await api('GET', '/media/list?album=nope');
    expect(malformed.statusCode).toBe(400);
  });
});
