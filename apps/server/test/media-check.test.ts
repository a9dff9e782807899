import { describe, expect } from 'vitest';
import { bearer, databaseTargets, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('media/check and ignore ($label)', (target) => {
  const stored = pngBytes(42);
  let storedId: string;
  const it = serverTest(target, {
    phone: true,
    async seed({ server, phone }) {
      const upload = await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=IMG_0042.PNG&localId=LOCAL-42&createdAt=2024-05-01T08:00:00Z',
        headers: bearer(phone.token),
        payload: stored,
      });
      storedId = upload.json().data.id;
    },
  }).extend(
    'check',
    ({ server, phone }) =>
      (items: unknown[]) =>
        server.app.inject({
          method: 'POST',
          url: '/api/v1/media/check',
          headers: bearer(phone.token),
          payload: { items },
        }),
  );

  it('answers new, duplicate (by hash, local id, or name + size + date) and ignored', async ({
    server,
    phone,
    check,
  }) => {
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/ignore',
      headers: bearer(phone.token),
      payload: { items: [{ name: 'screenshot.png', sha256: 'c'.repeat(64) }] },
    });
    const response = await check([
      { key: 'by-hash', sha256: sha256Hex(stored) },
      { key: 'by-local-id', localId: 'LOCAL-42' },
      { key: 'by-name', name: 'IMG_0042.PNG', size: stored.length, createdAt: '2024-05-01T08:00:00Z' },
      { key: 'new', sha256: 'd'.repeat(64) },
      { key: 'ignored', sha256: 'c'.repeat(64) },
      { key: 'wrong-size', name: 'IMG_0042.PNG', size: stored.length + 1 },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.json().data.results).toEqual([
      { key: 'by-hash', state: 'duplicate', mediaId: storedId, trashed: false },
      { key: 'by-local-id', state: 'duplicate', mediaId: storedId, trashed: false },
      { key: 'by-name', state: 'duplicate', mediaId: storedId, trashed: false },
      { key: 'new', state: 'new' },
      { key: 'ignored', state: 'ignored' },
      { key: 'wrong-size', state: 'new' },
    ]);
  });

  it('takes 10,000 items; 10,001 or a malformed hash is a 400', async ({ check }) => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      key: String(i),
      sha256: i.toString(16).padStart(64, '0'),
    }));
    const ok = await check(many);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data.results).toHaveLength(10_000);
    const tooMany = await check([...many, { key: 'x', sha256: 'e'.repeat(64) }]);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('VALIDATION_FAILED');
    const malformed = await check([{ key: 'x', sha256: 'not-a-hash' }]);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('lists and un-ignores ignored items', async ({ server, phone, check }) => {
    const list = await server.app.inject({ url: '/api/v1/media/ignored', headers: bearer(phone.token) });
    const item = list.json().data.items.find((i: { name: string }) => i.name === 'screenshot.png');
    expect(item).toBeDefined();
    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/media/ignored/${item.id}`,
      headers: bearer(phone.token),
    });
    expect(removed.statusCode).toBe(200);
    expect((await check([{ key: 'k', sha256: 'c'.repeat(64) }])).json().data.results[0].state).toBe('new');
    const again = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/media/ignored/${item.id}`,
      headers: bearer(phone.token),
    });
    expect(again.statusCode).toBe(404);
  });
});
