import type { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import Bonjour from 'bonjour-service';
import { lanDisplayName } from '../../services/network/lan-addresses.js';
import type { App } from '../../types.js';

/** Discovery as /system/status reports it. */
export interface MdnsState {
  enabled: boolean;
  /** True once every service has been announced; false again after shutdown or a socket error. */
  advertising: boolean;
  /** The advertised host name (ICLOOD_MDNS_HOST). */
  host: string;
  /** Service types being advertised, e.g. `_iclood._tcp`. */
  services: string[];
}

/** One DNS-SD service, in bonjour-service's terms. */
export interface AdvertisedService {
  name: string;
  type: string;
  protocol: 'tcp';
  port: number;
  host: string;
  txt: Record<string, string>;
}

/** The part of bonjour-service the plugin uses; tests substitute a recorder. */
export interface MdnsResponder {
  publish(service: AdvertisedService): Pick<EventEmitter, 'on'>;
  unpublishAll(callback: () => void): void;
  destroy(callback: () => void): void;
}

export interface MdnsResponderOptions {
  interface?: string;
  onError: (error: Error) => void;
}

export interface MdnsPluginOptions {
  /**
   * IPv4 address of the only interface to advertise on (tests: `127.0.0.1` inside a network
   * namespace). Default: every interface.
   */
  interface?: string;
  createResponder?: (options: MdnsResponderOptions) => MdnsResponder;
}

declare module 'fastify' {
  interface FastifyInstance {
    mdns: MdnsState;
  }
}

/** The services a server advertises: `_iclood._tcp` for the app, `_http._tcp` for browsers. */
export function discoveryServices(options: {
  instanceName: string;
  host: string;
  port: number;
  serverId: string;
  tls: { port?: number; shortFingerprint?: string };
}): AdvertisedService[] {
  const { instanceName: name, host, port, serverId, tls } = options;
  return [
    {
      name,
      type: 'iclood',
      protocol: 'tcp',
      port,
      host,
      txt: {
        txtvers: '1',
        id: serverId,
        api: '/api/v1',
        tls: String(tls.port ?? 0),
        fp: tls.shortFingerprint ?? '',
      },
    },
    { name, type: 'http', protocol: 'tcp', port, host, txt: { path: '/' } },
  ];
}

function bonjourResponder({ interface: networkInterface, onError }: MdnsResponderOptions): MdnsResponder {
  // Bound to a unicast address, a Linux socket never sees multicast queries: with one interface
  // chosen, join the group there but keep listening on every address.
  const options = networkInterface ? { interface: networkInterface, bind: '0.0.0.0' } : {};
  // Typed as a service config, but handed to multicast-dns as its socket options.
  const bonjour = new Bonjour(options as ConstructorParameters<typeof Bonjour>[0], onError);
  // multicast-dns emits 'error' (e.g. EACCES on port 5353) and bonjour-service does not listen
  // for it; unheard, it would take the whole server down.
  (bonjour as unknown as { server?: { mdns?: EventEmitter } }).server?.mdns?.on('error', onError);
  return bonjour;
}

function settle(start: (done: () => void) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    start(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function listeningPort(app: App): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : app.config.port;
}

/**
 * LAN discovery (ICLOOD_MDNS): once the HTTP server listens, advertises `_iclood._tcp` (TXT:
 * txtvers, id, api, tls, fp) and `_http._tcp` on ICLOOD_MDNS_HOST; on close, sends goodbyes and
 * releases port 5353 before the HTTP server stops. Disabled, it creates nothing.
 */
export default fp<MdnsPluginOptions>(
  async function mdnsPlugin(app: App, options) {
    const state: MdnsState = {
      enabled: app.config.mdns.enabled,
      advertising: false,
      host: app.config.mdns.host,
      services: [],
    };
    app.decorate('mdns', state);
    if (!state.enabled) return;

    const createResponder = options.createResponder ?? bonjourResponder;
    let responder: MdnsResponder | undefined;

    app.addHook('onListen', async () => {
      if (responder) return;
      const services = discoveryServices({
        instanceName: lanDisplayName(),
        host: state.host,
        port: listeningPort(app),
        serverId: app.identity.serverId,
        // Read at listen time, so this plugin may be registered before the TLS one (and its
        // goodbyes then go out before HTTPS waits for in-flight requests on close).
        tls: app.hasDecorator('tls') ? app.tls : {},
      });
      const current = createResponder({
        interface: options.interface,
        onError: (err) => {
          state.advertising = false;
          app.log.warn({ err }, 'mDNS advertising failed; the app can still pair by URL');
        },
      });
      responder = current;
      let up = 0;
      for (const service of services) {
        current.publish(service).on('up', () => {
          if (responder !== current) return;
          state.services.push(`_${service.type}._${service.protocol}`);
          up += 1;
          if (up === services.length) state.advertising = true;
        });
      }
      app.log.info(
        { host: state.host, port: services[0]!.port, name: services[0]!.name },
        'advertising on the local network (mDNS)',
      );
    });

    app.addHook('preClose', async () => {
      const closing = responder;
      responder = undefined;
      state.advertising = false;
      state.services = [];
      if (!closing) return;
      // Goodbye packets (TTL 0) let phones forget the server at once instead of after the TTL.
      await settle((done) => closing.unpublishAll(done), 2000);
      await settle((done) => closing.destroy(done), 2000);
    });
  },
  { name: 'mdns' },
);
