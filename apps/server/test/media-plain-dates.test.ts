import { describe, expect } from 'vitest';
import { bearer, databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('plain dates in from/to, as a date picker sends them ($label)', (target) => {
  let id: string;
  const it = serverTest(target, {
    async seed({ owner, upload }) {
      // No offset recorded: the local date taken is the UTC one, 31 Jan 2024.
      id = await upload(owner, 'a.png', pngBytes(1), '2024-01-31T23:30:00Z');
    },
  });

  it('filters the media list by plain dates, the end date included', async ({ api }) => {
    const listed = async (query: string) => {
      const response = await api('GET', `/media/list?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().data.items as Array<{ id: string }>).map((item) => item.id);
    };
    expect(await listed('from=2024-01-01&to=2024-01-31')).toEqual([id]);
    expect(await listed('from=2024-01-01&to=2024-01-30')).toEqual([]);
    expect(await listed('from=2024-02-01')).toEqual([]);
  });

  it('restores by plain dates from the browser form and from JSON', async ({ server, owner: token, api }) => {
    const form = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'from=2024-01-31&to=2024-01-31',
    });
    expect(form.statusCode, form.body).toBe(200);
    expect(form.headers['content-type']).toBe('application/zip');
    const json = await api('POST', '/media/batch/restore', { from: '2024-02-01', to: '2024-02-29' });
    expect(json.statusCode).toBe(404);
    expect(json.json().error.code).toBe('NOTHING_TO_RESTORE');
    const backwards = await api('POST', '/media/batch/restore', { from: '2024-02-01', to: '2024-01-31' });
    expect(backwards.statusCode).toBe(400);
  });
});
