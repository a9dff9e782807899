import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  bearer,
  databaseTargets,
  pngBytes,
  setupOwner,
  startTestServer,
  type TestServer,
} from './helper.js';

const DAY = 86_400_000;

describe.each(databaseTargets)('naming, favouriting and trashing items ($label)', (target) => {
  let server: TestServer;
  let owner: string;
  let member: { id: string; token: string };
  const ownerIds: string[] = [];
  let memberItem: string;

  async function upload(token: string, filename: string, data: Buffer): Promise<string> {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/media/upload?filename=${encodeURIComponent(filename)}`,
      headers: bearer(token),
      payload: data,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().data.id as string;
  }

  const request = (
    method: 'GET' | 'PATCH' | 'DELETE' | 'POST',
    url: string,
    payload?: unknown,
    token = owner,
  ) =>
    server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  const listIds = async (query = '', token = owner) => {
    const response = await request('GET', `/media/list?limit=500&${query}`, undefined, token);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data.items as Array<{ id: string }>).map((item) => item.id);
  };

  beforeAll(async () => {
    server = await startTestServer(target, { ICLOOD_TRASH_DAYS: '30' });
    owner = await setupOwner(server.app);
    member = await addMember(server.app, owner, 'mia');
    for (let i = 0; i < 4; i++) ownerIds.push(await upload(owner, `IMG_${i}.PNG`, pngBytes(40 + i)));
    memberItem = await upload(member.token, 'MIA.PNG', pngBytes(99));
  });
  afterAll(() => server.close());

  it('renames (display name only) and favourites, and the list filters on it', async () => {
    const id = ownerIds[0]!;
    const renamed = await request('PATCH', `/media/${id}`, { name: '  Beach day  ', favorite: true });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().data).toMatchObject({
      id,
      name: 'Beach day',
      displayName: 'Beach day',
      originalName: 'IMG_0.PNG',
      relPath: expect.stringMatching(/\/IMG_0\.PNG$/),
      favorite: true,
    });
    const detail = await request('GET', `/media/${id}`);
    expect(detail.json().data).toMatchObject({ name: 'Beach day', favorite: true });
    expect(await listIds('favorite=true')).toEqual([id]);
    expect(await listIds('favorite=false')).not.toContain(id);
    expect(await listIds('q=beach')).toEqual([id]);

    const cleared = await request('PATCH', `/media/${id}`, { name: null });
    expect(cleared.json().data).toMatchObject({ name: 'IMG_0.PNG', displayName: null, favorite: true });
    const unfavourited = await request('PATCH', `/media/${id}`, { favorite: false });
    expect(unfavourited.json().data).toMatchObject({ favorite: false });
    expect(await listIds('favorite=true')).toEqual([]);
  });

  it('refuses empty, too long or control-character names and empty changes', async () => {
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
      const response = await request('PATCH', `/media/${id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
    // 255 characters (one of them outside the BMP) once trimmed are fine.
    const longest = `${'é'.repeat(253)}📷`;
    const ok = await request('PATCH', `/media/${id}`, { name: ` ${longest} ` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.name).toBe(longest);
    await request('PATCH', `/media/${id}`, { name: null });
  });

  it('moves an item to the trash; it leaves the list but its detail and original stay reachable until restored', async () => {
    const id = ownerIds[2]!;
    const trashed = await request('DELETE', `/media/${id}`);
    expect(trashed.statusCode, trashed.body).toBe(200);
    const now = server.clock.now();
    expect(trashed.json().data).toEqual({
      id,
      trashedAt: now.toISOString(),
      purgeAt: new Date(now.getTime() + 30 * DAY).toISOString(),
    });
    expect(await listIds()).not.toContain(id);
    const detail = await request('GET', `/media/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().data.trashedAt).toBe(now.toISOString());
    const original = await request('GET', `/media/${id}/original`);
    expect(original.statusCode).toBe(200);
    expect(original.rawPayload.equals(pngBytes(42))).toBe(true);

    // Deleting again changes nothing.
    server.clock.advance(60_000);
    const again = await request('DELETE', `/media/${id}`);
    expect(again.json().data.trashedAt).toBe(now.toISOString());

    const restored = await request('POST', '/trash/restore', { ids: [id] });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json().data).toEqual({ count: 1, ids: [id] });
    expect(await listIds()).toContain(id);
    expect((await request('GET', `/media/${id}`)).json().data.trashedAt).toBeNull();
  });

  it('trashes many at once, skipping ids that are not the caller’s, and caps a batch at 1000', async () => {
    const batch = await request('POST', '/media/batch/delete', {
      ids: [ownerIds[0], ownerIds[3], memberItem, randomUUID()],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(batch.json().data.count).toBe(2);
    expect([...batch.json().data.ids].sort()).toEqual([ownerIds[0], ownerIds[3]].sort());
    expect(await listIds()).toEqual(expect.not.arrayContaining([ownerIds[0], ownerIds[3]]));
    expect(await listIds('', member.token)).toEqual([memberItem]);

    const tooMany = await request('POST', '/media/batch/delete', {
      ids: Array.from({ length: 1001 }, () => randomUUID()),
    });
    expect(tooMany.statusCode).toBe(400);
    expect((await request('POST', '/media/batch/delete', { ids: [] })).statusCode).toBe(400);
    expect((await request('POST', '/media/batch/delete', { ids: ['nope'] })).statusCode).toBe(400);

    await request('POST', '/trash/restore', { ids: [ownerIds[0], ownerIds[3]] });
  });

  it('answers 404 for another user’s item and never changes it', async () => {
    for (const [method, payload] of [
      ['PATCH', { name: 'Mine now', favorite: true }],
      ['DELETE', undefined],
    ] as const) {
      const response = await request(method, `/media/${memberItem}`, payload);
      expect(response.statusCode, method).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    const theirs = await request('GET', `/media/${memberItem}`, undefined, member.token);
    expect(theirs.json().data).toMatchObject({ name: 'MIA.PNG', favorite: false, trashedAt: null });

    await request('DELETE', `/media/${memberItem}`, undefined, member.token);
    const restore = await request('POST', '/trash/restore', { ids: [memberItem] });
    expect(restore.json().data).toEqual({ count: 0, ids: [] });
    expect(await listIds('', member.token)).toEqual([]);
    await request('POST', '/trash/restore', { ids: [memberItem] }, member.token);
    expect(await listIds('', member.token)).toEqual([memberItem]);
  });

  it('needs media.write: an upload-only token cannot rename or delete', async () => {
    const created = await request('POST', '/devices', {
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
      const response = await request(method, url, payload, shortcut);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code).toBe('SCOPE_REQUIRED');
    }
  });
});
