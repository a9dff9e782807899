import { rm } from 'node:fs/promises';
import fp from 'fastify-plugin';
import { enqueueMissingThumbnailJobs, recoverInterruptedJobs, THUMBNAIL_JOB_KIND } from '@iclood/db';
import { configureSharp, createThumbnailService, type ThumbnailServiceOptions } from '@iclood/media';
import { JobRunner } from '../../services/jobs/job-runner.js';
import { thumbnailJobHandler } from '../../services/jobs/thumbnail-job.js';
import type { App } from '../../types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Receives an upload's bytes: no background job starts while one is in flight. */
    upload?: boolean;
  }
}

export interface JobsPluginOptions {
  /** Jobs run at once (default 2, each on one libvips thread: at most two cores of a Pi). */
  concurrency?: number;
  /** Start without taking work: only `app.jobs.drain()` or `resume()` runs jobs (tests). */
  paused?: boolean;
  /** How often to look for due jobs when nothing wakes the runner (default 2 s). */
  pollIntervalMs?: number;
  /** Delay before retry number `attempt`; default 30 s × 4^(attempt−1). */
  retryDelayMs?: (attempt: number) => number;
  /** Pixel limit and ffmpeg binary of the thumbnail renderer. */
  thumbnails?: Pick<ThumbnailServiceOptions, 'maxInputPixels' | 'ffmpegPath' | 'videoTimeoutMs'>;
}

/**
 * The background job runner, decorated as `app.jobs`, with the thumbnail job registered. At
 * start, jobs a stopped server left running are requeued (or failed, if that was their last
 * attempt) and items that wait for thumbnails without a job get one. Work starts when the app
 * is ready; an answered 201 (an upload, say) wakes the runner at once instead of at its next
 * poll. No job starts while an upload is being received: a backup runs at full speed and the
 * thumbnails catch up between and after uploads. On close it takes no new work and waits for the jobs under way, before the database
 * closes.
 */
export default fp<JobsPluginOptions>(
  async function jobs(app: App, options) {
    configureSharp(1);
    const thumbnails = createThumbnailService({
      libraryDir: app.config.libraryDir,
      thumbsDir: app.layout.thumbsDir,
      ...options.thumbnails,
    });
    // Half-written thumbnails of a run that stopped; their jobs run again.
    await rm(thumbnails.tempDir, { recursive: true, force: true });

    const log = app.log.child({ component: 'jobs' });
    // Uploads come first: no job starts while one is being received (routes marked `config.upload`).
    let uploadsInFlight = 0;
    const runner = new JobRunner({
      yieldTo: () => uploadsInFlight > 0,
      db: app.db,
      now: app.now,
      log,
      concurrency: options.concurrency ?? 2,
      pollIntervalMs: options.pollIntervalMs,
      retryDelayMs: options.retryDelayMs,
    });
    runner.register(
      THUMBNAIL_JOB_KIND,
      thumbnailJobHandler({ db: app.db, thumbnails, thumbsDir: app.layout.thumbsDir }),
    );
    if (options.paused) runner.pause();

    const recovered = await recoverInterruptedJobs(app.db, { now: app.now() });
    const queued = await enqueueMissingThumbnailJobs(app.db, { now: app.now() });
    const touched = recovered.requeued + recovered.failed + queued;
    log[touched > 0 ? 'warn' : 'info'](
      { ...recovered, queuedThumbnails: queued },
      'job queue recovered after start',
    );

    app.decorate('jobs', runner);
    app.addHook('onReady', async () => {
      runner.start();
      void thumbnails.videoSupported().then((supported) => {
        if (!supported) log.warn('ffmpeg not found: videos get no thumbnails');
      });
    });
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.upload !== true) return;
      uploadsInFlight += 1;
      // 'close' comes however the exchange ends: answered, refused, or the client gone.
      reply.raw.once('close', () => {
        uploadsInFlight -= 1;
        if (uploadsInFlight === 0) runner.wake();
      });
    });
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST' && reply.statusCode === 201) runner.wake();
    });
    app.addHook('preClose', async () => {
      await runner.stop();
      await thumbnails.close();
    });
  },
  { name: 'jobs', dependencies: ['database'] },
);
