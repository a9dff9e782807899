import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THUMBNAIL_JOB_KIND } from '@iclood/db';
import type { TestDatabase } from '@iclood/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { App } from '../src/types.js';
import { rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets, setupOwner, testClock } from './helper.js';

describe.each(databaseTargets)('jobs survive a restart ($label)', (target) => {
  let database: TestDatabase;
  let dataDir: string;
  const clock = testClock();
  const logs: string[] = [];

  const start = (jobs: { paused: boolean; pollIntervalMs?: number }): Promise<App> =>
    buildApp(loadConfig({ ICLOOD_DATA_DIR: dataDir, ICLOOD_MDNS: 'false', LOG_LEVEL: 'info' }, dataDir), {
      database,
      now: clock.now,
      logStream: { write: (line: string) => void logs.push(line) },
      jobs,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'iclood-restart-'));
    database = await target.create();
  });
  afterAll(async () => {
    await database.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs, after the next start and by itself, what was running, pending or never queued', async () => {
    const first = await start({ paused: true });
    await first.ready();
    const owner = await setupOwner(first);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await first.inject({
        method: 'POST',
        url: `/api/v1/media/upload?filename=IMG_${i}.JPG`,
        headers: bearer(owner),
        payload: await rotatedJpeg(48, 32, i),
      });
      ids.push(response.json().data.id as string);
    }
    await first.close();

    // As a crash would leave them: one job taken but never finished, one still waiting, and one
    // item whose job row is missing altogether.
    const { db } = database;
    await db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 1, locked_at: clock.now() })
      .where('media_id', '=', ids[0]!)
      .execute();
    await db.deleteFrom('jobs').where('media_id', '=', ids[2]!).execute();

    clock.advance(60_000);
    const second = await start({ paused: false, pollIntervalMs: 50 });
    try {
      await second.ready();
      const recovered = logs
        .map((line) => JSON.parse(line))
        .findLast((entry) => entry.msg === 'job queue recovered after start');
      expect(recovered).toMatchObject({ requeued: 1, failed: 0, queuedThumbnails: 1 });

      // No drain(): the runner started on its own when the app was ready.
      const deadline = Date.now() + 20_000;
      let states: string[] = [];
      while (Date.now() < deadline) {
        const rows = await db.selectFrom('media').select(['id', 'thumbnail_status']).execute();
        states = ids.map((id) => rows.find((row) => row.id === id)!.thumbnail_status);
        if (states.every((state) => state === 'ready')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(states).toEqual(['ready', 'ready', 'ready']);
      // An item shows ready a moment before its job is marked completed (two writes): wait for the job.
      const thumbnailJobs = () =>
        db
          .selectFrom('jobs')
          .select(['media_id', 'status', 'attempts'])
          .where('kind', '=', THUMBNAIL_JOB_KIND)
          .execute();
      await expect
        .poll(async () => (await thumbnailJobs()).every((job) => job.status !== 'running'), {
          timeout: 10_000,
        })
        .toBe(true);
      const jobs = await thumbnailJobs();
      expect(new Map(jobs.map((job) => [job.media_id, [job.status, job.attempts]]))).toEqual(
        new Map([
          [ids[0], ['completed', 2]],
          [ids[1], ['completed', 1]],
          [ids[2], ['completed', 1]],
        ]),
      );
      const served = await second.inject({
        url: `/api/v1/media/${ids[0]}/thumbnail`,
        headers: bearer(owner),
      });
      expect(served.statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('wakes at once when an upload is answered, without waiting for a poll', async () => {
    const app = await start({ paused: false, pollIntervalMs: 3_600_000 });
    try {
      await app.ready();
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'owner', password: 'correct horse battery staple' },
      });
      const token = login.json().data.token as string;
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=IMG_9.JPG',
        headers: bearer(token),
        payload: await rotatedJpeg(48, 32, 9),
      });
      expect(response.statusCode).toBe(201);
      const id = response.json().data.id as string;
      const deadline = Date.now() + 20_000;
      let status = '';
      while (Date.now() < deadline && status !== 'ready') {
        status = (
          await database.db
            .selectFrom('media')
            .select('thumbnail_status')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).thumbnail_status;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe('ready');
    } finally {
      await app.close();
    }
  });
  it('close() waits for a look at the queue already under way: no job runs after it', async () => {
    const app = await start({ paused: true, pollIntervalMs: 3_600_000 });
    await app.ready();
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'owner', password: 'correct horse battery staple' },
    });
    const token = login.json().data.token as string;
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({
        method: 'POST',
        url: `/api/v1/media/upload?filename=IMG_close_${i}.JPG`,
        headers: bearer(token),
        payload: await rotatedJpeg(48, 32, 100 + i),
      });
      expect(response.statusCode).toBe(201);
    }
    // resume() starts claiming jobs; close() comes while that claim is still at the database.
    app.jobs.resume();
    await app.close();
    const jobsNow = () =>
      database.db
        .selectFrom('jobs')
        .select(['id', 'status', 'attempts'])
        .where('kind', '=', THUMBNAIL_JOB_KIND)
        .orderBy('id')
        .execute();
    const atClose = await jobsNow();
    expect(atClose.filter((job) => job.status === 'running')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await jobsNow()).toEqual(atClose);
  });
});
