import { describe, expect } from 'vitest';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)(
  'JSON bodies are taken as typed, query strings are coerced ($label)',
  (target) => {
    const it = serverTest(target);

    it('answers a JSON value of the wrong type with 400 naming the field, and stores nothing', async ({
      server,
      owner: token,
    }) => {
      for (const name of [12345, true, ['Trip']]) {
        const response = await server.app.inject({
          method: 'POST',
          url: '/api/v1/albums',
          headers: bearer(token),
          payload: { name },
        });
        expect(response.statusCode, JSON.stringify(name)).toBe(400);
        expect(response.json().error).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ field: 'body/name' }],
        });
      }
      const albums = await server.app.inject({ url: '/api/v1/albums', headers: bearer(token) });
      expect(albums.json().data.items).toEqual([]);
    });

    it('still reads numbers and booleans from the query string', async ({ server, owner: token }) => {
      const response = await server.app.inject({
        url: '/api/v1/media/list?limit=2&favorite=false',
        headers: bearer(token),
      });
      expect(response.statusCode, response.body).toBe(200);
    });
  },
);
