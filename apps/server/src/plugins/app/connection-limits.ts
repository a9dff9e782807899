import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from '../../config.js';
import type { App } from '../../types.js';

/**
 * How often Node looks for connections whose headers are overdue; its default (30 s) would let a
 * stalled header outlive a 15 s timeout by up to 30 s.
 */
const OVERDUE_CHECK_INTERVAL_MS = 1000;

/**
 * The Node HTTP server options behind these limits, for `Fastify({ ... })`: the headers timeout
 * and a socket inactivity timeout. The inactivity timeout is the one that fits an upload: it is
 * reset by every chunk that arrives, so it judges progress, not total time (a 4 GB video over slow
 * Wi-Fi takes many minutes), where Node's `requestTimeout` would cut it off. When it fires, Node
 * destroys the socket; the upload's receive then fails and removes its `.part` at once. It also
 * ends a download the client stopped reading (and a handler silent that long would lose its client).
 */
export function connectionServerOptions(connections: ServerConfig['connections']) {
  return {
    connectionTimeout: connections.idleTimeoutMs,
    http: {
      headersTimeout: connections.requestTimeoutMs,
      connectionsCheckingInterval: OVERDUE_CHECK_INTERVAL_MS,
    },
  };
}

const bodyDeadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();

function clearBodyDeadline(request: FastifyRequest): void {
  clearTimeout(bodyDeadlines.get(request));
  bodyDeadlines.delete(request);
}

/**
 * Keeps stalled clients (a phone walking out of Wi-Fi range, a misbehaving one on the LAN) from
 * holding sockets, files and `.part` files: headers and the bodies Fastify parses (JSON, at most
 * 1 MiB) must arrive within the request timeout; any connection silent for the idle timeout is
 * closed (connectionServerOptions); and at most `connections.max` are open at once, beyond which
 * Node closes new ones as they arrive.
 */
export default fp(
  async function connectionLimits(app: App) {
    const { requestTimeoutMs, max } = app.config.connections;
    app.server.maxConnections = max;

    // A body streamed by its route (an upload) is past its parser by preValidation, so only
    // bodies read whole are held to this total deadline; the idle timeout watches uploads.
    app.addHook('preParsing', async (request, _reply, payload) => {
      if (request.raw.complete) return payload;
      // Destroying an unfinished request destroys its socket.
      const deadline = setTimeout(() => {
        if (!request.raw.complete) request.raw.destroy();
      }, requestTimeoutMs);
      deadline.unref();
      bodyDeadlines.set(request, deadline);
      return payload;
    });
    app.addHook('preValidation', async (request) => clearBodyDeadline(request));
    app.addHook('onResponse', async (request) => clearBodyDeadline(request));
  },
  { name: 'connection-limits' },
);
