// The end-to-end harness of the dashboard's browser tests: the built server on a free port of
// 127.0.0.1 with its own temporary data and an embedded database, API helpers to arrange a
// library, Debian's Chromium through playwright-core with signed-in pages, axe-core checks,
// screenshots kept as CI artifacts, and fixture media made on the spot (re-exported from
// ../fixtures/media.ts).
//
// Typical file (see useHousehold):
//   const household = useHousehold({ owner: OWNER, members: [BEN] });
//   it('…', async () => {
//     const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
//     …
//   });
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openAsBlob, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { LoginResult, MediaDetail, UploadResult, UserSummary } from '@iclood/api-types';

export {
  makePhoto,
  makeVideo,
  type FixtureFile,
  type PhotoOptions,
  type VideoOptions,
} from '../fixtures/media.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** apps/dashboard */
const DASHBOARD_DIR = resolve(HERE, '..', '..');
const REPO_DIR = resolve(DASHBOARD_DIR, '..', '..');
const SERVER_ENTRY = join(REPO_DIR, 'apps', 'server', 'dist', 'launch.cjs');
const DASHBOARD_INDEX = join(DASHBOARD_DIR, 'dist', 'index.html');
const BUILD_COMMAND =
  'TURBO_TELEMETRY_DISABLED=1 npx pnpm exec turbo run build --filter=@iclood/server... (from the repository root)';

/** apps/dashboard/.test-results/screenshots: uploaded by CI as artifacts. */
export const SCREENSHOT_DIR = join(DASHBOARD_DIR, '.test-results', 'screenshots');

/** A username and password, as given to setup, `/users` or login. */
export interface Credentials {
  username: string;
  password: string;
}

/** An `{ status: 'error' }` answer (or an unexpected status) from the API, with its code. */
export class ApiCallError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}${code ? ` ${code}` : ''}: ${body.slice(0, 500)}`);
    this.name = 'ApiCallError';
  }
}

// ---------------------------------------------------------------------------------------------
// The server

export interface StartServerOptions {
  /**
   * More environment for the server (DESIGN §3), e.g. `{ ICLOOD_TRASH_DAYS: '0' }`. The harness
   * always sets HOST=127.0.0.1, PORT=0 (a free port), ICLOOD_MDNS=false and the temporary
   * ICLOOD_DATA_DIR / ICLOOD_LIBRARY_DIR, and never passes DATABASE_URL (embedded PGlite).
   */
  env?: Record<string, string>;
  /**
   * How long the server may take to answer `/ping`. Default 60 s (a first start creates the
   * embedded database).
   */
  startTimeoutMs?: number;
  /** Create the embedded database from scratch instead of copying the empty template. */
  freshDatabase?: boolean;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** The server's ICLOOD_DATA_DIR (temporary; removed by `stop`). */
  dataDir: string;
  /** The server's ICLOOD_LIBRARY_DIR (temporary; removed by `stop`). */
  libraryDir: string;
  /** The server's stdout and stderr so far (the last 256 KB), for failure messages. */
  output(): string;
  /** SIGTERM, wait for the exit (SIGKILL after 15 s), remove the temporary folders. Idempotent. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 256 * 1024;
const STOP_GRACE_MS = 15_000;
const running = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** A server left running by a crashed test file dies with the test process, not after it. */
function killLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function assertBuilt(): void {
  const missing = [SERVER_ENTRY, DASHBOARD_INDEX].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(' and ')}: run the build first:\n  ${BUILD_COMMAND}`);
  }
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

/**
 * Starts the built server (`node apps/server/dist/launch.cjs`, on the Node running the tests)
 * with fresh temporary data and library folders and the embedded database, on a free port of
 * 127.0.0.1, and resolves once `/ping` answers.
 *
 * The embedded database starts as a copy of an empty one made once per machine and database
 * build (see `databaseTemplate`), since creating one (PostgreSQL's initdb) takes 10–40 s; pass
 * `freshDatabase: true` for a genuine first start.
 *
 * @throws when the build is missing, or with the server's output when it exits or does not come
 *   up in time
 */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  assertBuilt();
  const template = options.freshDatabase ? undefined : await databaseTemplate(options);
  const root = await mkdtemp(join(tmpdir(), 'iclood-browser-'));
  const dataDir = join(root, 'data');
  const libraryDir = join(root, 'library');
  await mkdir(dataDir);
  await mkdir(libraryDir);
  if (template !== undefined) await cp(template, join(dataDir, 'db'), { recursive: true });

  const { child, output } = spawnServer(root, dataDir, libraryDir, options.env);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await terminate(child);
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    })());
  try {
    const origin = await waitUntilUp(child, output, options.startTimeoutMs ?? 60_000);
    return { origin, dataDir, libraryDir, output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function spawnServer(
  root: string,
  dataDir: string,
  libraryDir: string,
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    // Only what the server needs: nothing from the developer's shell (DATABASE_URL, ICLOOD_*…),
    // and the temporary folder as the working directory so no stray .env is read.
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LOG_LEVEL: 'info',
      ...env,
      HOST: '127.0.0.1',
      PORT: '0',
      ICLOOD_MDNS: 'false',
      ICLOOD_DATA_DIR: dataDir,
      ICLOOD_LIBRARY_DIR: libraryDir,
    },
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  killLeftoversOnExit();
  child.once('exit', () => running.delete(child));

  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { child, output: () => output };
}

/** SIGTERM, then SIGKILL if it is still running after STOP_GRACE_MS; resolves with the exit code. */
async function terminate(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited(child);
    clearTimeout(timer);
  }
  return child.exitCode;
}

const TEMPLATES_DIR = join(tmpdir(), 'iclood-browser-db-templates');

/**
 * What the empty embedded database depends on: the compiled migrations and the PGlite version.
 * Undefined when they cannot be read (then every server makes its own database).
 */
function databaseBuildKey(): string | undefined {
  try {
    const migrations = join(REPO_DIR, 'packages', 'db', 'dist', 'migrations');
    const hash = createHash('sha256');
    for (const name of readdirSync(migrations)
      .filter((file) => file.endsWith('.js'))
      .sort()) {
      hash.update(name).update(readFileSync(join(migrations, name)));
    }
    // The db package's own link to PGlite (its package.json is not among PGlite's exports).
    hash.update(
      readFileSync(
        join(REPO_DIR, 'packages', 'db', 'node_modules', '@electric-sql', 'pglite', 'package.json'),
      ),
    );
    return hash.digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

/**
 * Removes templates (and abandoned scratch folders) untouched for two days: other work trees on
 * this machine may be using their own, of another database build, right now.
 */
async function removeStaleTemplates(): Promise<void> {
  const cutoff = Date.now() - 2 * 24 * 60 * 60 * 1000;
  for (const name of readdirSync(TEMPLATES_DIR)) {
    const path = join(TEMPLATES_DIR, name);
    if ((statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < cutoff) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

/**
 * The `db/` folder of an empty, migrated embedded database, made once by a server started and
 * cleanly stopped on a scratch folder, and kept in the system's temporary folder for the next
 * test files (one at a time or at once: it is moved into place whole). Undefined when no key can
 * be computed.
 */
async function databaseTemplate(options: StartServerOptions): Promise<string | undefined> {
  const key = databaseBuildKey();
  if (key === undefined) return undefined;
  const template = join(TEMPLATES_DIR, key);
  if (existsSync(join(template, 'PG_VERSION'))) {
    // Marks it as in use for removeStaleTemplates.
    await utimes(template, new Date(), new Date()).catch(() => undefined);
    return template;
  }

  await mkdir(TEMPLATES_DIR, { recursive: true });
  const scratch = await mkdtemp(join(TEMPLATES_DIR, 'making-'));
  try {
    const dataDir = join(scratch, 'data');
    const libraryDir = join(scratch, 'library');
    await mkdir(dataDir);
    await mkdir(libraryDir);
    const { child, output } = spawnServer(scratch, dataDir, libraryDir);
    try {
      await waitUntilUp(child, output, options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await terminate(child);
      throw error;
    }
    const code = await terminate(child);
    if (code !== 0)
      throw new Error(`The iClood server exited with ${code} on SIGTERM. Its output:\n${output()}`);
    try {
      await rename(join(dataDir, 'db'), template);
    } catch (error) {
      // Another process made it first: use theirs.
      if (!existsSync(join(template, 'PG_VERSION'))) throw error;
    }
    await removeStaleTemplates();
    return template;
  } finally {
    await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Reads the port from the "running at" line, then polls `/ping` until it answers 200. */
async function waitUntilUp(
  child: ChildProcessWithoutNullStreams,
  output: () => string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ? `signal ${signal}` : `code ${code}`));
  const failure = (why: string) => new Error(`The iClood server ${why}. Its output:\n${output()}`);

  let origin: string | undefined;
  let lastError = '';
  while (Date.now() < deadline) {
    if (exit !== undefined) throw failure(`exited (${exit}) before it was up`);
    origin ??= /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1];
    if (origin !== undefined) {
      try {
        const response = await fetch(`${origin}/ping`, { signal: AbortSignal.timeout(5_000) });
        if (response.ok) return origin;
        lastError = `GET /ping answered ${response.status}`;
      } catch (error) {
        lastError = `GET /ping failed: ${(error as Error).message}`;
      }
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  throw failure(`was not up within ${timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// The API: accounts and arranging data

type Envelope<T> =
  | { status: 'success'; data: T; message?: string }
  | { status: 'error'; error: { code: string; message: string } };

/** One JSON call; unwraps `{ status: 'success', data }`, throws ApiCallError on anything else. */
async function call<T>(
  origin: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; raw?: Blob | Buffer; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: BodyInit | undefined;
  if (init.raw !== undefined) {
    headers['content-type'] ??= 'application/octet-stream';
    body = init.raw instanceof Blob ? init.raw : new Uint8Array(init.raw);
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const response = await fetch(`${origin}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Envelope<T> | undefined;
  try {
    parsed = JSON.parse(text) as Envelope<T>;
  } catch {
    // Not JSON: reported below with the status.
  }
  if (response.ok && parsed?.status === 'success') return parsed.data;
  const code = parsed?.status === 'error' ? parsed.error.code : undefined;
  if (code === 'RATE_LIMITED') {
    throw new ApiCallError(
      method,
      path,
      response.status,
      code,
      `${text}\n(the server allows 10 logins/setups a minute from one address: reuse sessions, ` +
        'as apiSession and newSignedInPage do, rather than signing in again)',
    );
  }
  throw new ApiCallError(method, path, response.status, code, text);
}

// Logins per minute are limited (10 per address), so tokens are kept per origin and user and
// reused; one found revoked (a test signed out) is replaced by a new login.
const apiTokens = new Map<string, string>();
const browserTokens = new Map<string, string>();
const tokenKey = (origin: string, { username, password }: Credentials) =>
  JSON.stringify([origin, username.toLowerCase(), password]);

async function isValid(origin: string, token: string): Promise<boolean> {
  const status = await meStatus(origin, token);
  return status >= 200 && status < 300;
}

/** `GET /api/v1/auth/me`'s answer status for a bearer token: 200 while it is valid. */
export async function meStatus(origin: string, token: string): Promise<number> {
  const response = await fetch(`${origin}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

/**
 * `POST /api/v1/auth/login`'s answer status for these credentials (no session is kept). Each
 * call is a login, and logins are rate limited (10 a minute from one address).
 */
export async function loginStatus(origin: string, username: string, password: string): Promise<number> {
  const response = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  await response.body?.cancel();
  return response.status;
}

/**
 * Creates the owner through `POST /api/v1/setup` (only while no user exists) and returns the
 * login it starts (its token is reused by `apiSession` for the same credentials).
 */
export async function createOwner(origin: string, username: string, password: string): Promise<LoginResult> {
  const login = await call<LoginResult>(origin, 'POST', '/api/v1/setup', { body: { username, password } });
  apiTokens.set(tokenKey(origin, { username, password }), login.token);
  return login;
}

/** Adds a household member through `POST /api/v1/users`, signed in as the owner (or an admin). */
export async function createMember(
  origin: string,
  owner: Credentials,
  member: Credentials & { displayName?: string },
): Promise<UserSummary> {
  const session = await apiSession(origin, owner.username, owner.password);
  const { user } = await session.json<{ user: UserSummary }>('POST', '/api/v1/users', member);
  return user;
}

export interface HouseholdOptions {
  owner: Credentials;
  /** Members the owner adds, in order. */
  members?: readonly (Credentials & { displayName?: string })[];
  server?: StartServerOptions;
}

export interface Household {
  server: TestServer;
  browser: Browser;
  /** The owner's API session. */
  owner: ApiSession;
  /** The members, in the order given. */
  members: UserSummary[];
}

/**
 * What most browser test files start from: the built server on a fresh embedded database, its
 * owner (signed in over the API), the household members it adds, and Chromium. Stop it with
 * {@link stopHousehold}, also when this throws part-way (the server is stopped here then).
 */
export async function startHousehold(options: HouseholdOptions): Promise<Household> {
  const server = await startServer(options.server);
  try {
    const { owner } = options;
    await createOwner(server.origin, owner.username, owner.password);
    const members: UserSummary[] = [];
    for (const member of options.members ?? [])
      members.push(await createMember(server.origin, owner, member));
    const session = await apiSession(server.origin, owner.username, owner.password);
    return { server, browser: await launchBrowser(), owner: session, members };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A server of its own (beside a file's household, e.g. with HTTPS on) with its owner created
 * (`POST /api/v1/setup`, no further login) and that owner's API session. Stop it with
 * `server.stop()`, also when this throws part-way (the server is stopped here then).
 */
export async function startServerWithOwner(
  owner: Credentials,
  options?: StartServerOptions,
): Promise<{ server: TestServer; owner: ApiSession }> {
  const server = await startServer(options);
  try {
    await createOwner(server.origin, owner.username, owner.password);
    return { server, owner: await apiSession(server.origin, owner.username, owner.password) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** A TCP port free on 127.0.0.1 right now (a server's HTTPS port must be given, not picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Closes Chromium and stops the server of {@link startHousehold}; either may be missing. */
export async function stopHousehold(household: { server?: TestServer; browser?: Browser }): Promise<void> {
  await household.browser
    ?.close()
    .catch((error: unknown) => console.error('closing Chromium failed:', error));
  await household.server?.stop();
}

/** The household of {@link useHousehold}: its fields read the started household. */
export interface HouseholdHandle extends Household {
  /** The server's origin (`server.origin`). */
  readonly origin: string;
  /**
   * {@link newSignedInPage} on this household's Chromium and server (or on `options.origin`, a
   * server of its own such as one of {@link startServerWithOwner}).
   */
  signedInPage(
    credentials: Credentials,
    viewport?: Viewport,
    options?: SignedInPageOptions & { origin?: string },
  ): Promise<SignedInPage>;
}

/**
 * The set-up of most browser test files: registers, in the current file (or describe block), a
 * `beforeAll` that starts a household ({@link startHousehold}) and an `afterAll` that stops it
 * ({@link stopHousehold}), and returns a handle to it for the tests and the file's helpers.
 * Reading the handle before that `beforeAll` has run (at import time) throws.
 *
 *   const household = useHousehold({ owner: OWNER, members: [BEN] });
 *   it('…', async () => {
 *     const { page, context, errors } = await household.signedInPage(OWNER, PHONE);
 *   });
 */
export function useHousehold(options: HouseholdOptions): HouseholdHandle {
  let started: Household | undefined;
  const current = (): Household => {
    if (started === undefined) {
      throw new Error('The household is not started: use it in a test or hook, after its beforeAll');
    }
    return started;
  };
  beforeAll(async () => {
    started = await startHousehold(options);
  });
  afterAll(async () => {
    if (started !== undefined) await stopHousehold(started);
  });
  return {
    get server() {
      return current().server;
    },
    get browser() {
      return current().browser;
    },
    get owner() {
      return current().owner;
    },
    get members() {
      return current().members;
    },
    get origin() {
      return current().server.origin;
    },
    signedInPage: (credentials, viewport, { origin, ...signedInOptions } = {}) =>
      newSignedInPage(
        current().browser,
        origin ?? current().server.origin,
        credentials,
        viewport,
        signedInOptions,
      ),
  };
}

export interface ApiSession {
  origin: string;
  /** The bearer token every call sends. */
  token: string;
  /** Who is signed in. */
  user: UserSummary;
  /**
   * A JSON call (`path` from the origin, e.g. `/api/v1/media/list?limit=10`); returns the
   * envelope's `data`, throws ApiCallError on an error answer.
   */
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A plain authorized fetch (`path` from the origin), for originals, thumbnails, zips. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Uploads one file as the raw body of `POST /api/v1/media/upload?filename=…` (files are
   * streamed from disk). `fields` go in the query (createdAt, localId, albums…).
   * Returns `{ id, status: 'created' | 'duplicate' }`.
   */
  upload(file: string | Buffer, fileName: string, fields?: UploadFields): Promise<UploadResult>;
  /**
   * Polls `GET /api/v1/media/{id}` until every item's thumbnail is `ready` (default within 60 s);
   * throws at once when one is `failed` or `unsupported`. Returns the items' details.
   */
  waitForThumbnails(ids: string[], timeoutMs?: number): Promise<MediaDetail[]>;
}

/** Query fields of an upload (DESIGN §4); `albums` are album names, created as needed. */
export interface UploadFields {
  localId?: string;
  createdAt?: string;
  modifiedAt?: string;
  originalPath?: string;
  sessionId?: string;
  sha256?: string;
  albums?: string[];
}

/**
 * An authorized API client for arranging data in a test, signed in as `username` with a bearer
 * token (reused across calls for the same user; a new login only when it was revoked).
 */
export async function apiSession(origin: string, username: string, password: string): Promise<ApiSession> {
  const key = tokenKey(origin, { username, password });
  let token = apiTokens.get(key);
  if (token === undefined || !(await isValid(origin, token))) {
    token = (await call<LoginResult>(origin, 'POST', '/api/v1/auth/login', { body: { username, password } }))
      .token;
    apiTokens.set(key, token);
  }
  const bearer = token;
  const { user } = await call<{ user: UserSummary }>(origin, 'GET', '/api/v1/auth/me', { token: bearer });

  const session: ApiSession = {
    origin,
    token: bearer,
    user,
    json: <T>(method: string, path: string, body?: unknown) =>
      call<T>(origin, method, path, { token: bearer, body }),
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${origin}${path}`, { ...init, headers });
    },
    async upload(file, fileName, fields = {}) {
      const query = new URLSearchParams({ filename: fileName });
      for (const [name, value] of Object.entries(fields)) {
        for (const one of Array.isArray(value) ? value : [value]) query.append(name, String(one));
      }
      const raw = typeof file === 'string' ? await openAsBlob(file) : file;
      return call<UploadResult>(origin, 'POST', `/api/v1/media/upload?${query}`, { token: bearer, raw });
    },
    async waitForThumbnails(ids, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const done = new Map<string, MediaDetail>();
      for (;;) {
        const polled = await Promise.all(
          ids
            .filter((id) => !done.has(id))
            .map((id) => session.json<MediaDetail>('GET', `/api/v1/media/${id}`)),
        );
        for (const item of polled) {
          if (item.thumbnail === 'ready') done.set(item.id, item);
          else if (item.thumbnail !== 'pending') {
            throw new Error(
              `The thumbnail of ${item.name} (${item.id}) is ${item.thumbnail}` +
                (item.type === 'video' ? ' (video frames need ffmpeg on the server’s PATH)' : ''),
            );
          }
        }
        if (done.size === new Set(ids).size) return ids.map((id) => done.get(id)!);
        if (Date.now() > deadline) {
          const waiting = polled
            .filter((item) => !done.has(item.id))
            .map((item) => `${item.name} (${item.id})`);
          throw new Error(`Thumbnails still pending after ${timeoutMs / 1000} s: ${waiting.join(', ')}`);
        }
        await new Promise((wake) => setTimeout(wake, 100));
      }
    },
  };
  return session;
}

// ---------------------------------------------------------------------------------------------
// The browser

/** A desktop window. */
export const DESKTOP = { width: 1280, height: 800 } as const;
/** An iPhone 15-sized phone: touch, mobile viewport, 3× pixels. */
export const PHONE = {
  width: 390,
  height: 844,
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 3,
} as const;

/** A window size, optionally with the phone traits (as DESKTOP and PHONE are). */
export interface Viewport {
  width: number;
  height: number;
  isMobile?: boolean;
  hasTouch?: boolean;
  deviceScaleFactor?: number;
}

/**
 * Launches Debian's Chromium (or `$ICLOOD_CHROMIUM`) headless through playwright-core. Host
 * names other than 127.0.0.1 and localhost resolve to nothing, so the dashboard can never reach
 * outside this machine. `options.args` are more command-line switches (e.g. one trusting a test
 * server's certificate).
 *
 * @throws when the Chromium executable is missing: the browser tests need it (no skipping)
 */
export async function launchBrowser(options: { args?: readonly string[] } = {}): Promise<Browser> {
  const executablePath = process.env.ICLOOD_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is required for the dashboard's browser tests and was not found at ${executablePath} ` +
        '(Debian: apt-get install chromium; or set ICLOOD_CHROMIUM to its path)',
    );
  }
  return chromium.launch({
    executablePath,
    // Tests run as root, where Chromium's sandbox cannot start.
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      ...(options.args ?? []),
    ],
  });
}

export interface SignedInPageOptions {
  /** `prefers-color-scheme`; default `light`. */
  colorScheme?: 'light' | 'dark';
  /** `prefers-reduced-motion`; default `no-preference`. */
  reducedMotion?: 'reduce' | 'no-preference';
  /** Sign in with a login of its own instead of the one shared by this user's other pages. */
  freshLogin?: boolean;
  /** Anything else for the context (locale, timezoneId…). */
  context?: BrowserContextOptions;
}

export interface SignedInPage {
  page: Page;
  /** The page's context: close it when done (`context.close()`), or let `browser.close()` do it. */
  context: BrowserContext;
  /**
   * Console errors (`console.error`, failed resource loads) and uncaught page errors, as
   * `"console: …"` / `"pageerror: …"` lines; assert it is empty at the end of a test.
   */
  errors: string[];
}

/**
 * A new context at `viewport` (baseURL = origin, so `page.goto('/')` works), signed in as
 * `credentials` with the session cookie (POST /api/v1/auth/login through `context.request`, so
 * the server's own Set-Cookie lands; later pages of the same user reuse that session while it is
 * valid, logins being rate limited), and a blank page collecting errors.
 */
export async function newSignedInPage(
  browser: Browser,
  origin: string,
  credentials: Credentials,
  viewport: Viewport = DESKTOP,
  options: SignedInPageOptions = {},
): Promise<SignedInPage> {
  const context = await newContext(browser, origin, viewport, options);
  try {
    await signIn(context, origin, credentials, options.freshLogin ?? false);
    return await pageCollectingErrors(context);
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** As {@link newSignedInPage}, with nobody signed in (the sign-in and setup screens). */
export async function newPage(
  browser: Browser,
  origin: string,
  viewport: Viewport = DESKTOP,
  options: Omit<SignedInPageOptions, 'freshLogin'> = {},
): Promise<SignedInPage> {
  const context = await newContext(browser, origin, viewport, options);
  try {
    return await pageCollectingErrors(context);
  } catch (error) {
    await context.close();
    throw error;
  }
}

function newContext(
  browser: Browser,
  origin: string,
  viewport: Viewport,
  options: SignedInPageOptions,
): Promise<BrowserContext> {
  const { width, height, ...traits } = viewport;
  return browser.newContext({
    baseURL: origin,
    viewport: { width, height },
    ...traits,
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: options.reducedMotion ?? 'no-preference',
    ...options.context,
  });
}

async function pageCollectingErrors(context: BrowserContext): Promise<SignedInPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    errors.push(`console: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  return { page, context, errors };
}

async function signIn(
  context: BrowserContext,
  origin: string,
  credentials: Credentials,
  fresh: boolean,
): Promise<void> {
  const key = tokenKey(origin, credentials);
  const shared = fresh ? undefined : browserTokens.get(key);
  if (shared !== undefined && (await isValid(origin, shared))) {
    await context.addCookies([
      { name: 'iclood_session', value: shared, url: origin, httpOnly: true, sameSite: 'Strict' },
    ]);
  } else {
    const response = await context.request.post('/api/v1/auth/login', {
      data: { username: credentials.username, password: credentials.password },
    });
    const text = await response.text();
    if (!response.ok()) {
      throw new ApiCallError(
        'POST',
        '/api/v1/auth/login (browser context)',
        response.status(),
        undefined,
        text,
      );
    }
    const { token } = (JSON.parse(text) as { data: LoginResult }).data;
    if (!fresh) browserTokens.set(key, token);
  }
  const me = await context.request.get('/api/v1/auth/me');
  if (!me.ok()) {
    throw new ApiCallError(
      'GET',
      '/api/v1/auth/me (browser context)',
      me.status(),
      undefined,
      await me.text(),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Accessibility and screenshots

/** One axe-core violation, as far as a failure message needs it. */
export interface A11yViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  /** One entry per failing element: its selector path (frames joined by ` >> `). */
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core over the whole page as it is now and returns the violations of impact serious or
 * critical. `label` names the state checked, for messages.
 */
export async function checkAccessibility(page: Page, label: string): Promise<A11yViolation[]> {
  axeSource ??= readFileSync(
    join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'),
    'utf8',
  );
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: axeSource });
    if (!(await page.evaluate(() => 'axe' in window))) {
      throw new Error(`checkAccessibility(${label}): axe-core did not load (a Content-Security-Policy?)`);
    }
  }
  const violations = await page.evaluate(async () => {
    type AxeResult = {
      violations: Array<{
        id: string;
        impact?: A11yViolation['impact'];
        help: string;
        helpUrl: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    };
    const axe = (
      window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      helpUrl: violation.helpUrl,
      targets: violation.nodes.map((node) =>
        node.target.map((part) => (Array.isArray(part) ? part.join(' ') : String(part))).join(' >> '),
      ),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Readable lines for violations: rule id, impact, help, and the elements' selectors. */
export function formatViolations(violations: A11yViolation[]): string {
  return violations
    .map(
      (violation) =>
        `- ${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.helpUrl}\n` +
        violation.targets.map((target) => `    at ${target}`).join('\n'),
    )
    .join('\n');
}

/** Throws a readable list of the serious and critical axe-core violations, if any. */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const violations = await checkAccessibility(page, label);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} serious or critical accessibility violation(s) on ${label}:\n` +
        formatViolations(violations),
    );
  }
}

/**
 * Saves a PNG of the page (viewport, or `fullPage`) to
 * apps/dashboard/.test-results/screenshots/<name>.png and returns its path.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`screenshot: "${name}" must be a plain file name (letters, digits, . _ -)`);
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}
