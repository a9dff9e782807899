import { describe, expect } from 'vitest';
import { bearer, databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('backup sessions ($label)', (target) => {
  const it = serverTest(target, { phone: true });

  it('starts a session from a POST with no body at all; a body that is not a JSON object is refused', async ({
    server,
    phone,
  }) => {
    const { app } = server;
    const bare = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(phone.token),
    });
    expect(bare.statusCode).toBe(201);
    expect(bare.json().data.session).toMatchObject({ status: 'running', expectedFiles: null });
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: { ...bearer(phone.token), 'content-type': 'text/plain' },
      payload: 'go',
    });
    expect(text.statusCode).toBe(400);
    const list = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(phone.token),
      payload: [1],
    });
    expect(list.statusCode).toBe(400);
    expect(list.json().error.code).toBe('VALIDATION_FAILED');
    // Ends the session left running, as the next start would.
    const stopped = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/stop',
      headers: bearer(phone.token),
      payload: { sessionId: bare.json().data.session.id, error: 'test over' },
    });
    expect(stopped.statusCode).toBe(200);
  });

  it('counts uploads, duplicates and failures, and tells a Shortcut when it last backed up', async ({
    server,
    owner,
    phone,
  }) => {
    const { app } = server;
    const before = await app.inject({ url: '/api/v1/backup/status', headers: bearer(phone.token) });
    expect(before.json().data).toEqual({
      current: null,
      lastCompletedAt: null,
      lastCompletedStartedAt: null,
    });

    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(phone.token),
      payload: { expectedFiles: 3 },
    });
    expect(started.statusCode).toBe(201);
    const sessionId = started.json().data.session.id;
    const send = (data: Buffer, name: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/media/upload?filename=${name}&sessionId=${sessionId}`,
        headers: bearer(phone.token),
        payload: data,
      });
    const a = pngBytes(100);
    expect((await send(a, 'a.png')).statusCode).toBe(201);
    expect((await send(pngBytes(101), 'b.png')).statusCode).toBe(201);
    expect((await send(a, 'a-again.png')).statusCode).toBe(200);
    expect((await send(Buffer.from('not media at all'), 'c.jpg')).statusCode).toBe(415);

    const running = await app.inject({ url: '/api/v1/backup/status', headers: bearer(phone.token) });
    expect(running.json().data.current).toMatchObject({
      id: sessionId,
      status: 'running',
      files: 2,
      duplicates: 1,
      failures: 1,
      expectedFiles: 3,
    });
    expect(running.json().data.current.bytes).toBe(a.length + pngBytes(101).length);

    server.clock.advance(60_000);
    const stopped = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/stop',
      headers: bearer(phone.token),
      payload: { sessionId },
    });
    expect(stopped.json().data.session).toMatchObject({
      status: 'completed',
      endedAt: server.clock.now().toISOString(),
    });
    // The last backup is when the session ended; "added after" is when it started, so photos
    // taken during it come round again.
    const after = await app.inject({ url: '/api/v1/backup/status', headers: bearer(phone.token) });
    expect(after.json().data).toEqual({
      current: null,
      lastCompletedAt: server.clock.now().toISOString(),
      lastCompletedStartedAt: started.json().data.session.startedAt,
    });
    expect(after.json().data.lastCompletedAt).not.toBe(after.json().data.lastCompletedStartedAt);

    const history = await app.inject({ url: '/api/v1/backup/history', headers: bearer(owner) });
    expect(history.json().data.sessions.map((s: { id: string }) => s.id)).toContain(sessionId);
  });

  it('a failed backup is recorded with its error; a browser login cannot run sessions', async ({
    server,
    owner,
    phone,
  }) => {
    const { app } = server;
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(phone.token),
      payload: {},
    });
    const sessionId = started.json().data.session.id;
    const stopped = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/stop',
      headers: bearer(phone.token),
      payload: { sessionId, error: 'Wi-Fi lost' },
    });
    expect(stopped.json().data.session).toMatchObject({ status: 'failed', error: 'Wi-Fi lost' });
    const byBrowser = await app.inject({
      method: 'POST',
      url: '/api/v1/backup/start',
      headers: bearer(owner),
      payload: {},
    });
    expect(byBrowser.statusCode).toBe(403);
  });
});
