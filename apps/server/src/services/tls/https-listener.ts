import { createServer, type Server } from 'node:https';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpsListenerOptions {
  key: string;
  cert: string;
  /** Every request goes here; for Fastify that is `app.routing`, the same handler its HTTP server uses. */
  handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Timeouts are copied from it, so HTTP and HTTPS clients are treated alike (e.g. no request timeout for long uploads, the same idle timeout and connection cap). */
  like?: HttpServer;
}

/**
 * A node HTTPS server in front of a request handler, with a graceful close: stop accepting, drop
 * idle keep-alive sockets, let in-flight requests finish.
 */
export class HttpsListener {
  readonly server: Server;

  constructor({ key, cert, handler, like }: HttpsListenerOptions) {
    this.server = createServer({ key, cert, minVersion: 'TLSv1.2' }, handler);
    // As on HTTP (plugins/app/expect-continue.ts): the app decides when to answer 100 Continue.
    this.server.on('checkContinue', handler);
    if (like) {
      this.server.keepAliveTimeout = like.keepAliveTimeout;
      this.server.headersTimeout = like.headersTimeout;
      this.server.requestTimeout = like.requestTimeout;
      this.server.timeout = like.timeout;
      this.server.maxRequestsPerSocket = like.maxRequestsPerSocket;
      this.server.maxConnections = like.maxConnections;
      // Read by Node when it starts listening; missing from @types/node.
      const checks = like as { connectionsCheckingInterval?: number };
      (this.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval =
        checks.connectionsCheckingInterval;
    }
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Resolves with the bound port once listening; rejects (e.g. EADDRINUSE) otherwise. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Swaps in a re-issued certificate; new handshakes use it, open connections keep theirs. */
  setCertificate(key: string, cert: string): void {
    this.server.setSecureContext({ key, cert, minVersion: 'TLSv1.2' });
  }

  /**
   * Stops accepting and resolves once every connection has ended. Node drops idle keep-alive
   * sockets at once; busy ones end after their response (the app answers `Connection: close`
   * while closing).
   */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.server.close((error) => {
        if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
        else resolve();
      });
    });
  }
}
