import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import mdnsPlugin, { type AdvertisedService, type MdnsResponder } from '../src/plugins/app/mdns.js';
import tlsPlugin from '../src/plugins/app/tls.js';
import type { App } from '../src/types.js';
import { databaseTargets, startTestServer } from './helper.js';

// No network here: bonjour-service is replaced by a recorder. The real advertiser is tested in
// a private network namespace (mdns-namespace.test.ts).
class RecordingResponder implements MdnsResponder {
  readonly published: AdvertisedService[] = [];
  readonly services: EventEmitter[] = [];
  readonly calls: string[] = [];
  constructor(private readonly app: () => App) {}
  publish(service: AdvertisedService) {
    this.published.push(service);
    const emitter = new EventEmitter();
    this.services.push(emitter);
    return emitter;
  }
  unpublishAll(done: () => void) {
    this.calls.push(`unpublishAll (HTTP listening: ${this.app().server.listening})`);
    done();
  }
  destroy(done: () => void) {
    this.calls.push('destroy');
    done();
  }
}

let app: App | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await app?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  app = dataDir = undefined;
});

// A bare Fastify app with just what the plugins read (config, identity, clock), so the test
// never depends on how app.ts wires mDNS: a real responder can never be reached from here.
async function start(env: Record<string, string>) {
  dataDir = await mkdtemp(join(tmpdir(), 'iclood-mdns-'));
  await mkdir(join(dataDir, 'secrets'), { mode: 0o700 });
  const config = loadConfig({ ICLOOD_DATA_DIR: dataDir, ICLOOD_MDNS: 'false', ...env }, dataDir);
  const responders: RecordingResponder[] = [];
  const interfaces: Array<string | undefined> = [];
  const instance = Fastify({ logger: false }) as unknown as App;
  app = instance;
  instance.decorate('config', config);
  instance.decorate('now', () => new Date());
  instance.decorate('identity', { serverId: randomUUID(), version: '0.0.0-test', startedAt: new Date() });
  await instance.register(mdnsPlugin, {
    interface: '127.0.0.1',
    createResponder: (options) => {
      interfaces.push(options.interface);
      const responder = new RecordingResponder(() => instance);
      responders.push(responder);
      return responder;
    },
  });
  // After mDNS, as app.ts registers them: the TXT record reads app.tls only once listening.
  await instance.register(tlsPlugin);
  await instance.ready();
  return { app: instance, responders, interfaces };
}

describe('mDNS advertising (recorded, no network)', () => {
  it('advertises _iclood._tcp and _http._tcp once the HTTP server listens, with the TXT fields', async () => {
    const { app, responders, interfaces } = await start({
      ICLOOD_MDNS: 'true',
      ICLOOD_MDNS_HOST: 'photos.local',
      ICLOOD_TLS_PORT: '8443',
    });
    expect(responders).toHaveLength(0);
    expect(app.mdns).toEqual({ enabled: true, advertising: false, host: 'photos.local', services: [] });

    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(url).port);
    await new Promise((resolve) => setImmediate(resolve)); // onListen hooks run right after listen()
    expect(responders).toHaveLength(1);
    expect(interfaces).toEqual(['127.0.0.1']);
    const [iclood, http] = responders[0]!.published;
    const name = `iClood on ${hostname().replace(/\.local$/, '')}`;
    expect(iclood).toEqual({
      name,
      type: 'iclood',
      protocol: 'tcp',
      port,
      host: 'photos.local',
      txt: {
        txtvers: '1',
        id: app.identity.serverId,
        api: '/api/v1',
        tls: '8443',
        fp: app.tls.shortFingerprint,
      },
    });
    expect(app.tls.shortFingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(http).toEqual({
      name,
      type: 'http',
      protocol: 'tcp',
      port,
      host: 'photos.local',
      txt: { path: '/' },
    });

    for (const service of responders[0]!.services) service.emit('up');
    expect(app.mdns).toMatchObject({ advertising: true, services: ['_iclood._tcp', '_http._tcp'] });

    await app.close();
    expect(responders[0]!.calls).toEqual(['unpublishAll (HTTP listening: true)', 'destroy']);
    expect(app.mdns).toMatchObject({ advertising: false, services: [] });
  });

  it('says tls=0 and an empty fp when HTTPS is off', async () => {
    const { app, responders } = await start({ ICLOOD_MDNS: 'true' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(responders[0]!.published[0]!.txt).toMatchObject({ tls: '0', fp: '' });
    expect(responders[0]!.published[0]!.host).toBe('iclood.local');
  });

  it('creates nothing when ICLOOD_MDNS=false, even after the server listens', async () => {
    const { app, responders } = await start({ ICLOOD_MDNS: 'false' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(responders).toEqual([]);
    expect(app.mdns).toEqual({ enabled: false, advertising: false, host: 'iclood.local', services: [] });
    await app.close();
    expect(responders).toEqual([]);
  });

  it('is off in every test server by default (the helper sets ICLOOD_MDNS=false)', async () => {
    const server = await startTestServer(databaseTargets[0]!);
    try {
      expect(server.config.mdns.enabled).toBe(false);
      expect(server.app.mdns).toMatchObject({ enabled: false, advertising: false });
    } finally {
      await server.close();
    }
  });
});
