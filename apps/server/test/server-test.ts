import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, test } from 'vitest';
import type { TestDatabaseTarget } from '@iclood/db/testing';
import type { BuildAppOptions } from '../src/app.js';
import {
  addMember,
  bearer,
  pairPhone,
  setupOwner,
  startHttpsTestServer,
  startTestServer,
  uploadRaw,
  type TestServer,
} from './helper.js';

export type Member = { id: string; token: string };
export type Phone = { token: string; deviceId: string };

/** Calls `/api/v1<url>` with a bearer token (the owner's unless given) and a JSON body when given. */
export type Api = (
  method: 'GET' | 'PATCH' | 'DELETE' | 'POST',
  url: string,
  payload?: unknown,
  token?: string,
) => Promise<LightMyRequestResponse>;

/** Uploads `bytes` as a raw body named `filename` (taken at `createdAt` when given); expects 201, returns the id. */
export type Upload = (token: string, filename: string, bytes: Buffer, createdAt?: string) => Promise<string>;

export interface ServerContext {
  server: TestServer;
  /** The owner's session token (signed up through the setup page). */
  owner: string;
  /** The member the owner added (`setup.member`). */
  member: Member;
  /** A phone paired for the owner (`setup.phone`). */
  phone: Phone;
  api: Api;
  upload: Upload;
  /** The URL the server listens at, `http://127.0.0.1:<port>` (`setup.listen` or `setup.https`). */
  base: string;
  /** The port HTTPS listens on (`setup.https`). */
  httpsPort: number;
}

export interface ServerSetup {
  env?: Record<string, string>;
  options?: BuildAppOptions;
  /** false: nobody signs up before the tests (a test does it through the setup page); no `owner` fixture. */
  owner?: false;
  /** Username of a member the owner adds after signing up. */
  member?: string;
  /** Pairs a phone for the owner (after the member), named so when a string. */
  phone?: boolean | string;
  /** Listens on a free port of 127.0.0.1 (after the phone is paired); `base` is its URL. */
  listen?: boolean;
  /**
   * HTTPS on, on real time, listening for HTTP and HTTPS on free ports of 127.0.0.1 before the
   * owner signs up (`startHttpsTestServer`; `env` and `options` are not used): `base` is the HTTP
   * URL, `httpsPort` the HTTPS port.
   */
  https?: boolean;
  /** More setup, run once after the above, before the block's tests. */
  seed?: (context: ServerContext) => Promise<void>;
}

/**
 * One server for the enclosing `describe` block (one database target): started, with the owner
 * signed up (and a member and a phone when asked), before the block's first test, and closed
 * after its last, as a `beforeAll`/`afterAll` pair in the block would. Call it inside the block;
 * the test it returns gives each test the block's `server`, `owner`, `member`, `phone`, `api`,
 * `upload`, and `base` and `httpsPort` when listening, as fixtures.
 */
export function serverTest(target: TestDatabaseTarget, setup: ServerSetup = {}) {
  let server: TestServer | undefined;
  let context: ServerContext | undefined;
  const started = () => {
    if (!context) throw new Error('serverTest: the server is not started (setup failed?)');
    return context;
  };
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`serverTest: no ${what}; ask for it in the setup`);
    return value;
  };

  beforeAll(async () => {
    let base: string | undefined;
    let httpsPort: number | undefined;
    let running: TestServer;
    if (setup.https) {
      const listening = await startHttpsTestServer(target);
      ({ server: running, httpsPort } = listening);
      base = `http://127.0.0.1:${listening.httpPort}`;
    } else {
      running = await startTestServer(target, setup.env, setup.options);
    }
    server = running;
    const { app } = running;
    let member: Member | undefined;
    let phone: Phone | undefined;
    const owner = setup.owner === false ? undefined : await setupOwner(app);
    const ownerToken = () => need(owner, 'owner');
    if (setup.member) member = await addMember(app, ownerToken(), setup.member);
    if (setup.phone)
      phone = await pairPhone(app, ownerToken(), ...(typeof setup.phone === 'string' ? [setup.phone] : []));
    if (setup.listen) base = await app.listen({ port: 0, host: '127.0.0.1' });
    const api: Api = (method, url, payload, token = ownerToken()) =>
      app.inject({
        method,
        url: `/api/v1${url}`,
        headers: bearer(token),
        ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
      });
    const upload: Upload = (...args) => uploadRaw(app, ...args);
    context = {
      server: running,
      get owner() {
        return ownerToken();
      },
      get member() {
        return need(member, 'member');
      },
      get phone() {
        return need(phone, 'phone');
      },
      api,
      upload,
      get base() {
        return need(base, 'base (listen)');
      },
      get httpsPort() {
        return need(httpsPort, 'httpsPort (https)');
      },
    };
    await setup.seed?.(context);
  });
  afterAll(() => server?.close());

  return test
    .extend('server', () => started().server)
    .extend('owner', () => started().owner)
    .extend('member', () => started().member)
    .extend('phone', () => started().phone)
    .extend('api', () => started().api)
    .extend('upload', () => started().upload)
    .extend('base', () => started().base)
    .extend('httpsPort', () => started().httpsPort);
}

/**
 * A server of its own for each test (one database target): started with the owner signed up before
 * the test, closed after it. The test gets `server` and `owner` as fixtures.
 */
export function freshServerTest(
  target: TestDatabaseTarget,
  setup: Pick<ServerSetup, 'env' | 'options'> = {},
) {
  const owners = new WeakMap<TestServer, string>();
  return (
    test
      // (Vitest reads a fixture's first parameter as the fixtures it needs: none beyond the built-in task.)
      .extend('server', async ({ task: _task }, { onCleanup }) => {
        const server = await startTestServer(target, setup.env, setup.options);
        onCleanup(() => server.close());
        owners.set(server, await setupOwner(server.app));
        return server;
      })
      .extend('owner', ({ server }) => owners.get(server)!)
  );
}
