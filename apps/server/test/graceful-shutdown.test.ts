import { describe, expect, it } from 'vitest';
import { ok } from '../src/envelope.js';
import { databaseTargets, startTestServer } from './helper.js';

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then stops accepting connections', async () => {
    // The handler says when it has the request and finishes only when the test lets it.
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await startTestServer(databaseTargets[0]!, {}, {}, (app) => {
      app.get('/api/v1/test/slow', { config: { access: 'public' } }, async () => {
        arrived();
        await released;
        return ok({ finished: true });
      });
    });
    try {
      const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const inFlight = fetch(`${url}/api/v1/test/slow`);
      await requestArrived;
      const closing = server.app.close();
      release();

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
