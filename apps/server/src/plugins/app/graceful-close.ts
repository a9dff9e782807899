import fp from 'fastify-plugin';
import type { App } from '../../types.js';

/**
 * On shutdown Fastify stops accepting and waits for in-flight requests, but a keep-alive
 * connection that goes idle afterwards would hold `close()` open until it times out. Answers
 * sent while closing therefore say `Connection: close`, so each socket ends with its response.
 */
export default fp(
  async function gracefulClose(app: App) {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (closing) reply.header('connection', 'close');
      return payload;
    });
  },
  { name: 'graceful-close' },
);
