import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { App } from '../../types.js';

/** Parses cookies; the dashboard's session cookie carries the same JWT as a bearer header. */
export default fp(
  async function cookiePlugin(app: App) {
    await app.register(cookie, { hook: 'onRequest' });
  },
  { name: 'cookie' },
);
