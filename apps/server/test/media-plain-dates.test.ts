import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, databaseTargets, pngBytes, setupOwner, startTestServer, type TestServer } from './helper.js';

describe.each(databaseTargets)('plain dates in from/to, as a date picker sends them ($label)', (target) => {
  let server: TestServer;
  let token: string;
  let id: string;
  beforeAll(async () => {
    server = await startTestServer(target);
    token = await setupOwner(server.app);
    // No offset recorded: the local date taken is the UTC one, 31 Jan 2024.
    const upload = await server.app.inject({
      method: 'POST',
      url: `/api/v1/media/upload?filename=a.png&createdAt=${encodeURIComponent('2024-01-31T23:30:00Z')}`,
      headers: bearer(token),
      payload: pngBytes(1),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    id = upload.json().data.id as string;
  });
  afterAll(() => server.close());

  const listed = async (query: string) => {
    const response = await server.app.inject({ url: `/api/v1/media/list?${query}`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data.items as Array<{ id: string }>).map((item) => item.id);
  };

  it('filters the media list by plain dates, the end date included', async () => {
    expect(await listed('from=2024-01-01&to=2024-01-31')).toEqual([id]);
    expect(await listed('from=2024-01-01&to=2024-01-30')).toEqual([]);
    expect(await listed('from=2024-02-01')).toEqual([]);
  });

  it('restores by plain dates from the browser form and from JSON', async () => {
    const form = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'from=2024-01-31&to=2024-01-31',
    });
    expect(form.statusCode, form.body).toBe(200);
    expect(form.headers['content-type']).toBe('application/zip');
    const json = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: bearer(token),
      payload: { from: '2024-02-01', to: '2024-02-29' },
    });
    expect(json.statusCode).toBe(404);
    expect(json.json().error.code).toBe('NOTHING_TO_RESTORE');
    const backwards = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: bearer(token),
      payload: { from: '2024-02-01', to: '2024-01-31' },
    });
    expect(backwards.statusCode).toBe(400);
  });
});
