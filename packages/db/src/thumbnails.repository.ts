import type { Kysely } from 'kysely';

import { inTransaction } from './in-transaction.js';
import { enqueueJob, THUMBNAIL_JOB_KIND } from './jobs.repository.js';
import type { Database, Media, ThumbnailStatus } from './schema.js';
import { isUuid } from './uuid.js';

/** What rendering an item's thumbnails needs to know about it. */
export type ThumbnailSource = Pick<
  Media,
  'id' | 'user_id' | 'rel_path' | 'media_type' | 'mime' | 'duration_ms' | 'thumbnail_status'
>;

/** The item a thumbnail job is about, trashed or not; `undefined` once it is gone. */
export async function findThumbnailSource(
  db: Kysely<Database>,
  mediaId: string,
): Promise<ThumbnailSource | undefined> {
  if (!isUuid(mediaId)) return undefined;
  return db
    .selectFrom('media')
    .select(['id', 'user_id', 'rel_path', 'media_type', 'mime', 'duration_ms', 'thumbnail_status'])
    .where('id', '=', mediaId)
    .executeTakeFirst();
}

/** Records how an item's thumbnails turned out. False when the item no longer exists. */
export async function setThumbnailStatus(
  db: Kysely<Database>,
  input: { mediaId: string; status: ThumbnailStatus },
): Promise<boolean> {
  if (!isUuid(input.mediaId)) return false;
  const result = await db
    .updateTable('media')
    .set({ thumbnail_status: input.status })
    .where('id', '=', input.mediaId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Asks for an item's thumbnails to be made again (their files went missing, say): the item goes
 * back to `pending` and its thumbnail job is reset to a fresh pending job due at `now`, or added,
 * in one transaction. A job already pending or running is left to finish. False when the item
 * does not exist.
 */
export async function requestThumbnails(
  db: Kysely<Database>,
  input: { mediaId: string; now: Date },
): Promise<boolean> {
  if (!isUuid(input.mediaId)) return false;
  return inTransaction(db, async (trx) => {
    const updated = await setThumbnailStatus(trx, { mediaId: input.mediaId, status: 'pending' });
    if (!updated) return false;
    await enqueueJob(
      trx,
      { kind: THUMBNAIL_JOB_KIND, mediaId: input.mediaId, runAt: input.now },
      { regenerate: true },
    );
    return true;
  });
}
