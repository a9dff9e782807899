import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { App } from '../../types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler sends `100 Continue` itself once it wants the body (uploads). */
    deferContinue?: boolean;
  }
}

/**
 * `Expect: 100-continue` lets an upload learn it is a known duplicate, or refused, before it sends
 * a byte. Node answers 100 on its own unless a `checkContinue` listener exists; this listener
 * routes such requests normally, and every route except the upload answers 100 at once.
 */
export default fp(
  async function expectContinue(app: App) {
    const route = (request: IncomingMessage, response: ServerResponse) =>
      app.server.emit('request', request, response);
    app.server.on('checkContinue', route);
    app.addHook('onClose', async () => void app.server.off('checkContinue', route));
    app.addHook('onRequest', async (request, reply) => {
      if (wantsContinue(request.raw) && !request.routeOptions.config.deferContinue) reply.raw.writeContinue();
    });
  },
  { name: 'expect-continue' },
);

export function wantsContinue(request: IncomingMessage): boolean {
  return request.headers.expect?.toLowerCase() === '100-continue';
}
