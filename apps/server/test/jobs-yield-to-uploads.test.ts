import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, databaseTargets, pngBytes, setupOwner, startTestServer, type TestServer } from './helper.js';

// Thumbnails wait while a phone is sending: on a 2-core Pi they would otherwise halve a backup.
describe.each(databaseTargets)('the job runner gives way to uploads ($label)', (target) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(target, {}, { jobs: { paused: false, pollIntervalMs: 20 } });
  });
  afterAll(() => server.close());

  const partialUploads = async () =>
    (await readdir(server.app.layout.libraryTmpDir)).filter((name) => name.endsWith('.part')).length;
  const pendingJobs = async () =>
    (await server.database.db.selectFrom('jobs').select('id').where('status', '=', 'pending').execute())
      .length;

  it('starts no job while an upload is arriving, and catches up once it is answered', async () => {
    const { app } = server;
    const token = await setupOwner(app);
    // One item stored while the runner is held, so its thumbnail job waits.
    app.jobs.pause();
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=FIRST.PNG',
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      payload: pngBytes(1),
    });
    expect(first.statusCode).toBe(201);
    expect(await pendingJobs()).toBe(1);

    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const second = pngBytes(2);
    // Half of the body now, the rest later: the upload stays in flight meanwhile.
    const outgoing = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/media/upload?filename=SECOND.PNG',
      headers: {
        ...bearer(token),
        'content-type': 'application/octet-stream',
        'content-length': second.length,
      },
    });
    const answered = new Promise<number>((resolve, reject) => {
      outgoing.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
    });
    outgoing.write(second.subarray(0, 10));
    // The server is receiving it once its temp file exists.
    await expect.poll(() => partialUploads(), { timeout: 10_000, interval: 10 }).toBe(1);
    app.jobs.resume();
    // Several looks at the queue go by with the upload in flight: the waiting job is not taken.
    for (let look = 0; look < 5; look += 1) await app.jobs.look();
    expect(await pendingJobs()).toBe(1);
    expect(app.jobs.running).toBe(0);

    outgoing.end(second.subarray(10));
    expect(await answered).toBe(201);
    // Both thumbnail jobs run once nothing is arriving.
    await expect.poll(pendingJobs, { timeout: 10_000, interval: 50 }).toBe(0);
  });
});
