import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseThumbnailFileName } from './thumbnail-layout.js';

/** Files and bytes, as a walk or a sweep counted them. */
export interface FileTally {
  files: number;
  bytes: number;
}

/** Options of {@link sweepOrphanThumbnails}. */
export interface SweepOrphanThumbnailsOptions {
  thumbsDir: string;
  /** Which of these media ids still have a row (in the trash or not); asked in batches. */
  existingMediaIds: (ids: string[]) => Promise<Set<string>>;
  /** 500 by default. */
  batchSize?: number;
}

interface FoundFile {
  path: string;
  name: string;
  size: number;
}

/** Files `lstat`ed at once: enough to keep a USB disk busy, few enough to stay polite. */
const STAT_BATCH = 64;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Every regular file under `dir`, depth first, with its size. Directories are read as streams
 * (`opendir`) and sizes fetched a batch at a time, so memory stays bounded by the depth of the
 * tree and the batch, not by the number of files. Files that vanish meanwhile are left out.
 */
async function* filesUnder(dir: string): AsyncGenerator<FoundFile> {
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: STAT_BATCH });
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
    throw error;
  }
  const subdirs: string[] = [];
  let pending: Array<{ path: string; name: string }> = [];
  const flush = async function* () {
    const sizes = await Promise.all(
      pending.map(({ path }) =>
        lstat(path).then(
          (stats) => (stats.isFile() ? stats.size : undefined),
          (error: unknown) => {
            if (errorCode(error) === 'ENOENT') return undefined;
            throw error;
          },
        ),
      ),
    );
    const found = pending;
    pending = [];
    for (const [index, file] of found.entries()) {
      const size = sizes[index];
      if (size !== undefined) yield { ...file, size };
    }
  };
  for await (const entry of handle) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) subdirs.push(path);
    else if (entry.isFile()) pending.push({ path, name: entry.name });
    if (pending.length >= STAT_BATCH) yield* flush();
  }
  yield* flush();
  // Folder names only (the fan-out has 256); their files are streamed in turn.
  for (const subdir of subdirs) yield* filesUnder(subdir);
}

/**
 * How many files the thumbnail folder holds and their total size (`st_size`), walked without
 * holding the listing in memory.
 *
 * @example
 * const { files, bytes } = await thumbnailUsage(layout.thumbsDir);
 */
export async function thumbnailUsage(thumbsDir: string): Promise<FileTally> {
  const tally: FileTally = { files: 0, bytes: 0 };
  for await (const file of filesUnder(thumbsDir)) {
    tally.files++;
    tally.bytes += file.size;
  }
  return tally;
}

/**
 * Removes the thumbnails whose media row is gone (a purge that stopped between the row and its
 * files, say). Only files named like thumbnails (`<uuid>-<size>.webp`) are considered; their ids
 * are checked with the database `batchSize` at a time, and an item still in the trash keeps its
 * thumbnails. Anything else in the folder is left alone.
 *
 * @returns the files removed and their bytes
 * @example
 * const freed = await sweepOrphanThumbnails({
 *   thumbsDir: layout.thumbsDir,
 *   existingMediaIds: (ids) => existingMediaIds(db, ids),
 * });
 */
export async function sweepOrphanThumbnails(options: SweepOrphanThumbnailsOptions): Promise<FileTally> {
  const { thumbsDir, existingMediaIds, batchSize = 500 } = options;
  const removed: FileTally = { files: 0, bytes: 0 };
  let batch: Array<FoundFile & { mediaId: string }> = [];

  const settle = async () => {
    const existing = await existingMediaIds([...new Set(batch.map((file) => file.mediaId))]);
    for (const file of batch) {
      if (existing.has(file.mediaId)) continue;
      try {
        await unlink(file.path);
        removed.files++;
        removed.bytes += file.size;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    batch = [];
  };

  for await (const file of filesUnder(thumbsDir)) {
    const parsed = parseThumbnailFileName(file.name);
    if (!parsed) continue;
    batch.push({ ...file, mediaId: parsed.mediaId });
    if (batch.length >= batchSize) await settle();
  }
  if (batch.length > 0) await settle();
  return removed;
}
