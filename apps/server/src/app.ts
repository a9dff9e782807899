import { createRequire } from 'node:module';
import type { LogDestination } from './logger.js';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DatabaseHandle } from '@iclood/db';
import { lockDataDir, prepareDataLayout, type DataLayout } from '@iclood/storage';
import type { ServerConfig } from './config.js';
import { loggerOptions } from './logger.js';
import { loadServerSecrets } from './server-secrets.js';
import { AJV_OPTIONS, buildRequestValidator } from './request-validation.js';
import cookiePlugin from './plugins/external/cookie.js';
import rateLimitPlugin from './plugins/external/rate-limit.js';
import swaggerPlugin from './plugins/external/swagger.js';
import dashboardPlugin from './plugins/external/dashboard.js';
import errorHandlerPlugin from './plugins/app/error-handler.js';
import expectContinuePlugin from './plugins/app/expect-continue.js';
import librarySweepPlugin from './plugins/app/library-sweep.js';
import trashPurgePlugin from './plugins/app/trash-purge.js';
import jobsPlugin, { type JobsPluginOptions } from './plugins/app/jobs.js';
import gracefulClosePlugin from './plugins/app/graceful-close.js';
import connectionLimitsPlugin, { connectionServerOptions } from './plugins/app/connection-limits.js';
import databasePlugin from './plugins/app/database.js';
import authPlugin from './plugins/app/auth.js';
import ownerBootstrapPlugin from './plugins/app/owner-bootstrap.js';
import mdnsPlugin, { type MdnsPluginOptions } from './plugins/app/mdns.js';
import tlsPlugin from './plugins/app/tls.js';
import pendingPairingsPlugin from './plugins/app/pending-pairings.js';
import resumableUploadsPlugin from './plugins/app/resumable-uploads.js';
import healthRoutes from './routes/api/health.js';
import apiRoutes from './routes/api.js';
import type { App } from './types.js';

export type { App } from './types.js';
export type { ServerConfig } from './config.js';
export { loadConfig, readEnvironment, ConfigError } from './config.js';

export interface BuildAppOptions {
  /** Injectable clock for every time-based decision (token expiry, sessions). */
  now?: () => Date;
  /** An already-open, migrated database (tests). Otherwise opened from config and closed with the app. */
  database?: DatabaseHandle;
  /** Where logs go; default stdout. Tests pass a stream to read what was logged. */
  logStream?: LogDestination;
  /** Login attempts allowed per client IP per window (default: ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE a minute). */
  loginRateLimit?: { max: number; timeWindowMs: number };
  /** mDNS options: tests pass a fake responder, or interface '127.0.0.1' inside netns-run only. */
  mdns?: MdnsPluginOptions;
  /** Background jobs: concurrency, start paused (tests drain by hand), thumbnail limits. */
  jobs?: JobsPluginOptions;
}

const serverPackage = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * Builds the whole iClood server as one Fastify app, ready for `listen()` or `inject()`.
 *
 * @example
 * const app = await buildApp(loadConfig(readEnvironment()));
 * await app.listen({ port: app.config.port, host: app.config.host });
 */
export async function buildApp(config: ServerConfig, options: BuildAppOptions = {}): Promise<App> {
  const layout = await prepareDataLayout(config.dataDir, config.libraryDir);
  const releaseDataDir = await lockDataDir(layout.dataDir);
  try {
    return await composeApp(config, options, layout, releaseDataDir);
  } catch (error) {
    await releaseDataDir();
    throw error;
  }
}

async function composeApp(
  config: ServerConfig,
  options: BuildAppOptions,
  layout: DataLayout,
  releaseDataDir: () => Promise<void>,
): Promise<App> {
  const secrets = await loadServerSecrets(layout.dataDir, layout.secretsDir);

  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    ajv: AJV_OPTIONS,
    schemaController: { compilersFactory: { buildValidator: buildRequestValidator } },
    routerOptions: { ignoreTrailingSlash: true },
    // No time limit on a plugin's start (Fastify's default is 10 s): creating the embedded
    // database, or a certificate, on a slow or busy machine takes longer, and a first start that
    // dies half-way helps no one. 0 turns avvio's timer off for plugins and ready alike.
    pluginTimeout: 0,
    // Uploads are streamed by their own routes; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    ...connectionServerOptions(config.connections),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onClose', releaseDataDir);
  app.decorate('config', config);
  app.decorate('layout', layout);
  app.decorate('now', options.now ?? (() => new Date()));
  app.decorate('identity', {
    serverId: secrets.serverId,
    version: serverPackage.version,
    startedAt: new Date(),
  });

  await app.register(errorHandlerPlugin);
  await app.register(gracefulClosePlugin);
  await app.register(connectionLimitsPlugin);
  await app.register(expectContinuePlugin);
  await app.register(cookiePlugin);
  await app.register(rateLimitPlugin);
  await app.register(swaggerPlugin);
  await app.register(databasePlugin, { layout, database: options.database });
  await app.register(ownerBootstrapPlugin);
  await app.register(librarySweepPlugin);
  await app.register(trashPurgePlugin);
  await app.register(jobsPlugin, options.jobs ?? {});
  await app.register(resumableUploadsPlugin);
  await app.register(authPlugin, {
    jwtSecret: secrets.jwtSecret,
    loginRateLimit: options.loginRateLimit ?? { max: config.loginAttemptsPerMinute, timeWindowMs: 60_000 },
  });

  // mDNS first, so its goodbye packets go out before HTTPS drains on close.
  await app.register(mdnsPlugin, options.mdns ?? {});
  await app.register(tlsPlugin, { secretsDir: layout.secretsDir });
  await app.register(pendingPairingsPlugin);

  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/api/v1' });
  await app.register(dashboardPlugin);

  return app;
}
