import { findThumbnailSource, setThumbnailStatus, type Database, type Kysely } from '@iclood/db';
import type { ThumbnailService } from '@iclood/media';
import { removeThumbnails } from '@iclood/storage';
import type { JobHandler } from './job-runner.js';

/**
 * The `thumbnail.generate` job: renders an item's thumbnails and records the outcome on the
 * item (`ready`, or `unsupported` when nothing here can decode it). When the job is given up on
 * (a corrupt original at once, or its last attempt), the item is marked `failed` in the same
 * transaction. An item deleted meanwhile ends the job quietly, its fresh files removed.
 */
export function thumbnailJobHandler(deps: {
  db: Kysely<Database>;
  thumbnails: ThumbnailService;
  thumbsDir: string;
}): JobHandler {
  const { db, thumbnails, thumbsDir } = deps;
  return {
    async run(job) {
      if (!job.media_id) return;
      const item = await findThumbnailSource(db, job.media_id);
      if (!item) return;
      const outcome = await thumbnails.render(item);
      const recorded = await setThumbnailStatus(db, { mediaId: item.id, status: outcome });
      if (!recorded) await removeThumbnails(thumbsDir, item.id);
    },
    async gaveUp(trx, job) {
      if (job.media_id) await setThumbnailStatus(trx, { mediaId: job.media_id, status: 'failed' });
    },
  };
}
