import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { testDatabaseTargets, type TestDatabase, type TestDatabaseTarget } from '@iclood/db/testing';
import { buildApp, type BuildAppOptions } from '../src/app.js';
import { loadConfig, type ServerConfig } from '../src/config.js';
import type { App } from '../src/types.js';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const databaseTargets: TestDatabaseTarget[] = testDatabaseTargets(process.env.TEST_DATABASE_URL);

export const OWNER = { username: 'owner', password: 'correct horse battery staple' };

/** A clock tests move by hand. */
export function testClock(start = '2026-11-21T10:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}

export interface TestServer {
  app: App;
  config: ServerConfig;
  database: TestDatabase;
  dataDir: string;
  clock: ReturnType<typeof testClock>;
  /** Every log line the app wrote, raw. */
  logs: string[];
  close(): Promise<void>;
}

/** A whole app on a fresh database and a temp data dir; nothing listens, use `app.inject`. */
export async function startTestServer(
  target: TestDatabaseTarget,
  env: Record<string, string> = {},
  options: BuildAppOptions = {},
  /** Adds test-only routes before the app is ready. */
  extend?: (app: App) => void,
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'iclood-server-'));
  const config = loadConfig(
    { ICLOOD_DATA_DIR: dataDir, ICLOOD_MDNS: 'false', LOG_LEVEL: 'info', ...env },
    dataDir,
  );
  const database = await target.create();
  const clock = testClock();
  const logs: string[] = [];
  const app = await buildApp(config, {
    database,
    now: clock.now,
    logStream: { write: (line: string) => void logs.push(line) },
    // Background jobs (thumbnails) run only when a test drains them: `app.jobs.drain()`.
    jobs: { paused: true },
    ...options,
  });
  extend?.(app);
  await app.ready();
  return {
    app,
    config,
    database,
    dataDir,
    clock,
    logs,
    async close() {
      await app.close();
      await database.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A whole app with HTTPS on, listening on free ports of 127.0.0.1 for HTTP and HTTPS, on real
 * time: a TLS client checks the certificate's validity against the wall clock.
 */
export async function startHttpsTestServer(
  target: TestDatabaseTarget,
): Promise<{ server: TestServer; httpPort: number; httpsPort: number }> {
  const server = await startTestServer(
    target,
    { ICLOOD_TLS_PORT: '8443', HOST: '127.0.0.1' },
    { now: () => new Date() },
  );
  try {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const httpPort = (server.app.server.address() as { port: number }).port;
    const httpsPort = (await server.app.httpsListener.listen({ port: 0 }))!;
    return { server, httpPort, httpsPort };
  } catch (error) {
    await server.close();
    throw error;
  }
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Creates the owner through the setup page and returns the token. */
export async function setupOwner(app: App, owner = OWNER): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: owner });
  if (response.statusCode !== 201) throw new Error(`setup failed: ${response.statusCode} ${response.body}`);
  return response.json().data.token as string;
}

export async function login(app: App, username: string, password: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

/** The owner adds a member through the API; returns the member's login token. */
export async function addMember(
  app: App,
  ownerToken: string,
  username: string,
  password = `${username}-password`,
) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(ownerToken),
    payload: { username, password },
  });
  if (created.statusCode !== 201) throw new Error(`adding ${username} failed: ${created.body}`);
  const token = (await login(app, username, password)).json().data.token as string;
  return { id: created.json().data.user.id as string, token };
}

/** Opens a pairing as the signed-in user; returns what the dashboard shows. */
export async function openPairing(app: App, sessionToken: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/pairing',
    headers: bearer(sessionToken),
  });
  if (response.statusCode !== 201) throw new Error(`pairing failed: ${response.statusCode} ${response.body}`);
  return response.json().data as { id: string; code: string; qrPayload: string; expiresAt: string };
}

export function register(app: App, body: Record<string, unknown>, remoteAddress?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { deviceName: 'Test iPhone', platform: 'ios', ...body },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

/** Pairs a phone for the signed-in user by its manual code; returns the device token and id. */
export async function pairPhone(app: App, sessionToken: string, deviceName = 'Test iPhone') {
  const { code } = await openPairing(app, sessionToken);
  const response = await register(app, { code, deviceName });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`);
  const data = response.json().data;
  return { token: data.token as string, deviceId: data.device.id as string };
}

/** Uploads `bytes` as a raw body named `filename`, taken at `createdAt` when given; expects 201, returns the new id. */
export async function uploadRaw(
  app: App,
  token: string,
  filename: string,
  bytes: Buffer,
  createdAt?: string,
) {
  const query = new URLSearchParams({ filename, ...(createdAt ? { createdAt } : {}) });
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/media/upload?${query}`,
    headers: bearer(token),
    payload: bytes,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().data.id as string;
}

/** A small, real PNG; `seed` changes its pixels, so each seed gives different bytes. */
export function pngBytes(seed: number, size = 8): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (seed * 31 + i * 7) & 0xff;
  return PNG.sync.write(png);
}

export type FormPart =
  { name: string; value: string } | { name: string; filename: string; data: Buffer; contentType?: string };

/** A multipart/form-data body built by hand, so tests control every byte (and can break it). */
export function multipartBody(parts: FormPart[], boundary = 'iclood-test-boundary') {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Every file under `dir`, relative, sorted (the library as a person would see it). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
