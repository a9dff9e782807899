import fp from 'fastify-plugin';
import { PendingPairings } from '../../services/pairing/pending-pairings.js';
import type { App } from '../../types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Open pairings' plain code and QR payload: made by `routes/api/pairing`, closed by `auth/register`. */
    pendingPairings: PendingPairings;
  }
}

/** One memory of open pairings for the routes that open them and the one a phone claims them by. */
export default fp(
  async function pendingPairingsPlugin(app: App) {
    app.decorate('pendingPairings', new PendingPairings(app.now));
  },
  { name: 'pending-pairings' },
);
