import { describe, expect, it } from 'vitest';
import { ok } from '../src/envelope.js';
import { databaseTargets, startTestServer } from './helper.js';

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then stops accepting connections', async () => {
    const server = await startTestServer(databaseTargets[0]!, {}, {}, (app) => {
      app.get('/api/v1/test/slow', { config: { access: 'public' } }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return ok({ finished: true });
      });
    });
    try {
      const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const inFlight = fetch(`${url}/api/v1/test/slow`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = server.app.close();

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: unknown }).data).toEqual({ finished: true });
      await closing;
      await expect(fetch(`${url}/api/v1/ping`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
