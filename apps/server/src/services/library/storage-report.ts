import type { CleanupResult, StorageSummary, StorageWarning, SystemStorage } from '@iclood/api-types';
import {
  existingMediaIds,
  libraryBytes,
  libraryUsage,
  partialUploadUsage,
  recordedRelPaths,
} from '@iclood/db';
import { diskUsage, sweepOrphanThumbnails, sweepStaleUploads, thumbnailUsage } from '@iclood/storage';
import type { App, Principal } from '../../types.js';

/** Under this share of the disk free, the dashboard warns. */
const LOW_DISK_SHARE = 0.1;
/** An upload untouched this long is abandoned (a live one writes every few milliseconds). */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Who sees what: the owner or an admin (a principal holding `admin`) sees the whole household;
 * anyone else the disk figures and their own library only.
 */
export function seesHousehold(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

function storageWarnings(app: App, disk: { totalBytes: number; freeBytes: number }): StorageWarning[] {
  const warnings: StorageWarning[] = [];
  const percentFree = disk.totalBytes > 0 ? (disk.freeBytes / disk.totalBytes) * 100 : 0;
  if (disk.freeBytes < disk.totalBytes * LOW_DISK_SHARE) {
    warnings.push({
      code: 'DISK_LOW',
      message: `Only ${percentFree.toFixed(1)} % of the library's disk is free`,
    });
  }
  if (disk.freeBytes < app.config.minFreeBytes) {
    warnings.push({
      code: 'BELOW_MIN_FREE',
      message:
        `Less than ICLOOD_MIN_FREE_BYTES (${app.config.minFreeBytes} bytes) is free: ` +
        'uploads are refused until space is made',
    });
  }
  return warnings;
}

/** Disk space and library size for `system/status`. */
export async function storageSummary(app: App, principal: Principal): Promise<StorageSummary> {
  const [disk, library] = await Promise.all([
    diskUsage(app.config.libraryDir),
    libraryBytes(app.db, seesHousehold(principal) ? {} : { userId: principal.user.id }),
  ]);
  return {
    diskTotalBytes: disk.totalBytes,
    diskFreeBytes: disk.freeBytes,
    libraryItems: library.items,
    libraryBytes: library.bytes,
  };
}

/**
 * Everything `GET /system/storage` shows: the disk (statfs), the library by type, user and device
 * and the trash (from the media rows, one aggregate), the thumbnail folder (walked), resumable
 * uploads under way, and warnings.
 */
export async function storageReport(app: App, principal: Principal): Promise<SystemStorage> {
  const household = seesHousehold(principal);
  const scope = household ? {} : { userId: principal.user.id };
  const [disk, usage, thumbnails, resumable] = await Promise.all([
    diskUsage(app.config.libraryDir),
    libraryUsage(app.db, scope),
    household ? thumbnailUsage(app.layout.thumbsDir) : Promise.resolve(null),
    partialUploadUsage(app.db, scope),
  ]);
  return {
    scope: household ? 'household' : 'user',
    disk,
    library: { ...usage.library, byType: usage.byType, byUser: usage.byUser, byDevice: usage.byDevice },
    trash: usage.trash,
    thumbnails,
    resumableUploads: {
      uploads: resumable.count,
      receivedBytes: resumable.receivedBytes,
      pendingBytes: resumable.pendingBytes,
    },
    minFreeBytes: app.config.minFreeBytes,
    warnings: storageWarnings(app, disk),
  };
}

/**
 * `POST /system/cleanup`: purges what has been in the trash longer than ICLOOD_TRASH_DAYS, removes
 * uploads abandoned for over an hour and resumable uploads past ICLOOD_UPLOAD_EXPIRY_HOURS, then thumbnails whose item no longer exists (after the
 * purge, which removes its own). Each step is safe while uploads and browsing go on.
 */
export async function cleanUpStorage(app: App): Promise<CleanupResult> {
  // Through the periodic purge, so the two never run at once.
  const trash = await app.trashPurge.runNow();
  const uploads = await sweepStaleUploads({
    libraryDir: app.config.libraryDir,
    isRecorded: (relPaths) => recordedRelPaths(app.db, relPaths),
    olderThan: new Date(app.now().getTime() - STALE_UPLOAD_MS),
  });
  // Resumable uploads past ICLOOD_UPLOAD_EXPIRY_HOURS, and bytes no upload row knows.
  const resumable = await app.resumableUploads.sweepExpired();
  const orphanThumbnails = await sweepOrphanThumbnails({
    thumbsDir: app.layout.thumbsDir,
    existingMediaIds: (ids) => existingMediaIds(app.db, ids),
  });
  const tempFiles = {
    files: uploads.removedTempFiles + resumable.files,
    bytes: uploads.removedTempBytes + resumable.bytes,
  };
  app.log.info({ trash, uploads, resumable, orphanThumbnails }, 'storage cleaned up');
  return {
    trash,
    tempFiles,
    orphanThumbnails,
    bytesFreed: trash.bytes + tempFiles.bytes + orphanThumbnails.bytes,
  };
}
