import type { PurgeResult } from '@iclood/api-types';
import { deleteTrashedMedia, trashedMediaToPurge, type PurgeScope } from '@iclood/db';
import { recordLibraryRemoval } from '@iclood/storage';
import type { App } from '../../types.js';

const DAY_MS = 86_400_000;
/** Items removed per intent record and per DELETE statement. */
const PURGE_BATCH = 500;

/**
 * Removes trashed items for good: originals, thumbnails and rows. Per batch, in the order DESIGN
 * §6 needs so that a crash never leaves a row without its file: a removal intent listing the
 * files is fsynced first, then the rows are deleted in one statement, then the files of the rows
 * actually deleted are unlinked, then the intent goes. A crash in between is finished by the
 * start-up sweep. Items restored meanwhile are skipped, files and all.
 *
 * `scope` narrows what goes: one user's trash, some ids, items trashed by an instant; `{}` is
 * everyone's whole trash.
 *
 * @example
 * const freed = await purgeTrash(app, { userId, ids }); // { items: 2, bytes: 6_291_456 }
 */
export async function purgeTrash(app: App, scope: PurgeScope): Promise<PurgeResult> {
  const freed: PurgeResult = { items: 0, bytes: 0 };
  let after: { trashedAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await trashedMediaToPurge(app.db, {
      scope,
      limit: PURGE_BATCH,
      ...(after ? { after } : {}),
    });
    if (batch.length === 0) break;
    const removal = await recordLibraryRemoval({
      libraryDir: app.layout.libraryDir,
      thumbsDir: app.layout.thumbsDir,
      items: batch.map((row) => ({ mediaId: row.id, relPath: row.rel_path })),
    });
    const deleted = await deleteTrashedMedia(app.db, { ids: batch.map((row) => row.id), scope });
    const removed = await removal.finish(deleted.map((row) => row.id));
    freed.items += deleted.length;
    freed.bytes += removed.bytes;
    if (batch.length < PURGE_BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { trashedAt: last.trashed_at, id: last.id };
  }
  return freed;
}

/**
 * Purges every user's items trashed at or before `trashedBy`, for the periodic job and
 * `POST /system/cleanup`.
 *
 * @example
 * const freed = await purgeTrashedBy(app, new Date(app.now().getTime() - 30 * 86_400_000));
 */
export function purgeTrashedBy(app: App, trashedBy: Date): Promise<PurgeResult> {
  return purgeTrash(app, { trashedBy });
}

/** The instant before which trashed items have expired: ICLOOD_TRASH_DAYS ago (0: now). */
export function trashExpiryCutoff(app: App): Date {
  return new Date(app.now().getTime() - app.config.trashDays * DAY_MS);
}

/** Purges what has been in the trash longer than ICLOOD_TRASH_DAYS, for every user. */
export function purgeExpiredTrash(app: App): Promise<PurgeResult> {
  return purgeTrashedBy(app, trashExpiryCutoff(app));
}
