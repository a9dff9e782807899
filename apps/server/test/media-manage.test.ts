import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

const DAY = 86_400_000;

describe.each(databaseTargets)('naming, favouriting and trashing items ($label)', (target) => {
  const ownerIds: string[] = [];
  let memberItem: string;
  const it = serverTest(target, {
    env: { ICLOOD_TRASH_DAYS: '30' },
    member: 'mia',
    async seed({ owner, member, upload }) {
      for (let i = 0; i < 4; i++) ownerIds.push(await upload(owner, `IMG_${i}.PNG`, pngBytes(40 + i)));
      memberItem = await upload(member.token, 'MIA.PNG', pngBytes(99));
    },
  }).extend('listIds', ({ api }) => async (query = '', token?: string) => {
    const response = await api('GET', `/media/list?limit=500&${query}`, undefined, token);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data.items as Array<{ id: string }>).map((item) => item.id);
  });

  it('renames (display name only) and favourites, and the list filters on it', async ({ api, listIds }) => {
    const id = ownerIds[0]!;
    const renamed = await api('PATCH', `/media/${id}`, { name: '  Beach day  ', favorite: true });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().data).toMatchObject({
      id,
      name: 'Beach day',
      displayName: 'Beach day',
      originalName: 'IMG_0.PNG',
      relPath: expect.stringMatching(/\/IMG_0\.PNG$/),
      favorite: true,
    });
    const detail = await api('GET', `/media/${id}`);
    expect(detail.json().data).toMatchObject({ name: 'Beach day', favorite: true });
    expect(await listIds('favorite=true')).toEqual([id]);
    expect(await listIds('favorite=false')).not.toContain(id);
    expect(await listIds('q=beach')).toEqual([id]);

    const cleared = await api('PATCH', `/media/${id}`, { name: null });
    expect(cleared.json().data).toMatchObject({ name: 'IMG_0.PNG', displayName: null, favorite: true });
    const unfavourited = await api('PATCH', `/media/${id}`, { favorite: false });
    expect(unfavourited.json().data).toMatchObject({ favorite: false });
    expect(await listIds('favorite=true')).toEqual([]);
  });

  it('refuses empty, too long or control-character names and empty changes', async ({ api }) => {
    const id = ownerIds[1]!;
    for (const body of [
      { name: '   ' },
      { name: 'x'.repeat(256) },
      { name: 'tab\there' },
      { name: 'bell\u0007' },
      {},
      { favorite: 'yes' },
      { name: 'ok', extra: 1 },
    ]) {
      const response = await api('PATCH', `/media/${id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
    // 255 characters (one of them outside the BMP) once trimmed are fine.
    const longest = `${'é'.repeat(253)}📷`;
    const ok = await api('PATCH', `/media/${id}`, { name: ` ${longest} ` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.name).toBe(longest);
    await api('PATCH', `/media/${id}`, { name: null });
  });

  it('moves an item to the trash; it leaves the list but its detail and original stay reachable until restored', async ({
    server,
    api,
    listIds,
  }) => {
    const id = ownerIds[2]!;
    const trashed = await api('DELETE', `/media/${id}`);
    expect(trashed.statusCode, trashed.body).toBe(200);
    const now = server.clock.now();
    expect(trashed.json().data).toEqual({
      id,
      trashedAt: now.toISOString(),
      purgeAt: new Date(now.getTime() + 30 * DAY).toISOString(),
    });
    expect(await listIds()).not.toContain(id);
    const detail = await api('GET', `/media/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().data.trashedAt).toBe(now.toISOString());
    const original = await api('GET', `/media/${id}/original`);
    expect(original.statusCode).toBe(200);
    expect(original.rawPayload.equals(pngBytes(42))).toBe(true);

    // Deleting again changes nothing.
    server.clock.advance(60_000);
    const again = await api('DELETE', `/media/${id}`);
    expect(again.json().data.trashedAt).toBe(now.toISOString());

    const restored = await api('POST', '/trash/restore', { ids: [id] });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json().data).toEqual({ count: 1, ids: [id] });
    expect(await listIds()).toContain(id);
    expect((await api('GET', `/media/${id}`)).json().data.trashedAt).toBeNull();
  });

  it('trashes many at once, skipping ids that are not the caller’s, and caps a batch at 1000', async ({
    member,
    api,
    listIds,
  }) => {
    const batch = await api('POST', '/media/batch/delete', {
      ids: [ownerIds[0], ownerIds[3], memberItem, randomUUID()],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(batch.json().data.count).toBe(2);
    expect([...batch.json().data.ids].sort()).toEqual([ownerIds[0], ownerIds[3]].sort());
    expect(await listIds()).toEqual(expect.not.arrayContaining([ownerIds[0], ownerIds[3]]));
    expect(await listIds('', member.token)).toEqual([memberItem]);

    const tooMany = await api('POST', '/media/batch/delete', {
      ids: Array.from({ length: 1001 }, () => randomUUID()),
    });
    expect(tooMany.statusCode).toBe(400);
    expect((await api('POST', '/media/batch/delete', { ids: [] })).statusCode).toBe(400);
    expect((await api('POST', '/media/batch/delete', { ids: ['nope'] })).statusCode).toBe(400);

    await api('POST', '/trash/restore', { ids: [ownerIds[0], ownerIds[3]] });
  });

  it('answers 404 for another user’s item and never changes it', async ({ member, api, listIds }) => {
    for (const [method, payload] of [
      ['PATCH', { name: 'Mine now', favorite: true }],
      ['DELETE', undefined],
    ] as const) {
      const response = await api(method, `/media/${memberItem}`, payload);
      expect(response.statusCode, method).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    const theirs = await api('GET', `/media/${memberItem}`, undefined, member.token);
    expect(theirs.json().data).toMatchObject({ name: 'MIA.PNG', favorite: false, trashedAt: null });

    await api('DELETE', `/media/${memberItem}`, undefined, member.token);
    const restore = await api('POST', '/trash/restore', { ids: [memberItem] });
    expect(restore.json().data).toEqual({ count: 0, ids: [] });
    expect(await listIds('', member.token)).toEqual([]);
    await api('POST', '/trash/restore', { ids: [memberItem] }, member.token);
    expect(await listIds('', member.token)).toEqual([memberItem]);
  });

  it('needs media.write: an upload-only token cannot rename or delete', async ({ api }) => {
    const created = await api('POST', '/devices', {
      name: 'Shortcut',
      platform: 'shortcuts',
      scopes: ['media.upload'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const shortcut = created.json().data.token as string;
    for (const [method, url, payload] of [
      ['PATCH', `/media/${ownerIds[1]}`, { favorite: true }],
      ['DELETE', `/media/${ownerIds[1]}`, undefined],
      ['POST', '/media/batch/delete', { ids: [ownerIds[1]] }],
      ['POST', '/trash/restore', { ids: [ownerIds[1]] }],
      ['DELETE', '/trash', undefined],
    ] as const) {
      const response = await api(method, url, payload, shortcut);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code).toBe('SCOPE_REQUIRED');
    }
  });
});
