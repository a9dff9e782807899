import fp from 'fastify-plugin';
import { ingestDepsOf } from '../../services/ingest/ingest.js';
import { ResumableUploads } from '../../services/ingest/resumable.js';
import type { App } from '../../types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Resumable uploads, one instance for every route that writes them (tus on `/uploads`, the
     * IETF draft on `/media/upload` and `/uploads`): the running hashes and the "a request is
     * writing this upload" guard are shared.
     */
    resumableUploads: ResumableUploads;
  }
}

export default fp(
  async function resumableUploads(app: App) {
    app.decorate('resumableUploads', new ResumableUploads(ingestDepsOf(app)));
  },
  { name: 'resumable-uploads', dependencies: ['database'] },
);
