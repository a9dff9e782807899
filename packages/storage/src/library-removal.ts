import { randomUUID } from 'node:crypto';
import { lstat, open, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LIBRARY_TMP_DIR, resolveInsideLibrary } from './library-layout.js';
import { removeThumbnails } from './thumbnail-layout.js';

/** Removal intents sit beside placement intents in `<library>/.tmp`, under their own suffix. */
export const REMOVAL_INTENT_SUFFIX = '.removal';

/** One item whose original and thumbnails are to go for good. */
export interface LibraryRemovalItem {
  mediaId: string;
  /** Where its original is, relative to the library. */
  relPath: string;
}

/** What a removal intent lists per item: the file as it was when the intent was written. */
interface RemovalEntry {
  mediaId: string;
  relPath: string;
  /** Inode number as a decimal string; `null` when there was no file to remove. */
  ino: string | null;
  size: number;
  /** Modification time in nanoseconds, as a decimal string: an inode number can be reused. */
  mtimeNs: string | null;
}

interface RemovalIntentContent {
  thumbsDir: string;
  entries: RemovalEntry[];
}

/** What removing files freed. */
export interface RemovedFiles {
  /** Originals unlinked. */
  files: number;
  /** Bytes of those originals plus their thumbnails. */
  bytes: number;
}

/** A removal whose intent is on disk; {@link LibraryRemoval.finish} once the rows are deleted. */
export interface LibraryRemoval {
  /** The intent record, `<library>/.tmp/<uuid>.removal`. */
  readonly intentPath: string;
  /**
   * Unlinks the originals and thumbnails of the listed items whose rows are now gone, then the
   * intent. Items not in `deletedMediaIds` (restored meanwhile, say) keep their files.
   */
  finish(deletedMediaIds: Iterable<string>): Promise<RemovedFiles>;
}

/** What the start-up sweep did with removal intents a crash left behind. */
export interface RemovalSweepResult {
  /** Intent records found and finished (or dropped, when torn). */
  intents: number;
  /** Originals unlinked because their row was gone. */
  removedFiles: number;
  /** Listed items whose row still exists: their files were kept. */
  keptFiles: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

// A copy of placement-intent.ts's helper, so the two kinds of intent can change independently.
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function libraryPath(libraryDir: string, relPath: string): string | undefined {
  try {
    return resolveInsideLibrary(libraryDir, relPath);
  } catch {
    return undefined;
  }
}

interface FileIdentity {
  ino: string;
  size: number;
  mtimeNs: string;
}

/** The regular file at `path` now, or undefined when there is none. */
async function fileIdentity(path: string): Promise<FileIdentity | undefined> {
  try {
    const stats = await lstat(path, { bigint: true });
    return stats.isFile()
      ? { ino: stats.ino.toString(), size: Number(stats.size), mtimeNs: stats.mtimeNs.toString() }
      : undefined;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function parseRemovalIntent(content: string): RemovalIntentContent | undefined {
  try {
    const value = JSON.parse(content) as Partial<RemovalIntentContent>;
    if (typeof value.thumbsDir !== 'string' || !Array.isArray(value.entries)) return undefined;
    const valid = value.entries.every(
      (entry: Partial<RemovalEntry>) =>
        typeof entry.mediaId === 'string' &&
        typeof entry.relPath === 'string' &&
        (entry.ino === null || typeof entry.ino === 'string') &&
        (entry.mtimeNs === null || typeof entry.mtimeNs === 'string') &&
        typeof entry.size === 'number',
    );
    return valid ? (value as RemovalIntentContent) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unlinks the listed originals that are still the very files listed (never one put at that path
 * since), fsyncs their folders so the removal is durable, and removes their thumbnails.
 */
async function removeEntries(
  libraryDir: string,
  thumbsDir: string,
  entries: readonly RemovalEntry[],
): Promise<RemovedFiles> {
  const freed: RemovedFiles = { files: 0, bytes: 0 };
  const dirs = new Set<string>();
  for (const entry of entries) {
    const path = libraryPath(libraryDir, entry.relPath);
    if (path === undefined || entry.ino === null) continue;
    const now = await fileIdentity(path);
    if (now?.ino !== entry.ino || now.size !== entry.size || now.mtimeNs !== entry.mtimeNs) continue;
    if (await unlinkIfPresent(path)) {
      freed.files++;
      freed.bytes += entry.size;
      dirs.add(dirname(path));
    }
  }
  for (const dir of dirs) await fsyncDir(dir);
  for (const entry of entries) {
    // A malformed id names no thumbnail (thumbnailPath refuses it): nothing to remove.
    freed.bytes += await removeThumbnails(thumbsDir, entry.mediaId).catch((error: unknown) => {
      if (error instanceof RangeError) return 0;
      throw error;
    });
  }
  return freed;
}

/**
 * Step one of removing items for good (DESIGN §6: a crash never leaves a row without its file):
 * durably records which originals and thumbnails are about to go, with each file's identity,
 * before any row is deleted. Then the caller deletes the rows and calls `finish` with the ids it
 * deleted. Should the process die in between, {@link finishRemovalIntents} (run by the start-up
 * sweep) removes the files whose rows are gone and keeps the others.
 *
 * If deleting the rows fails, leave the intent: the sweep checks the rows, so it keeps every file
 * whose row survived, whatever the database did.
 *
 * @example
 * const removal = await recordLibraryRemoval({ libraryDir, thumbsDir, items });
 * const deleted = await deleteTrashedMedia(db, { ids: items.map((item) => item.mediaId) });
 * const freed = await removal.finish(deleted.map((row) => row.id));
 */
export async function recordLibraryRemoval(options: {
  libraryDir: string;
  thumbsDir: string;
  items: readonly LibraryRemovalItem[];
}): Promise<LibraryRemoval> {
  const { libraryDir, thumbsDir, items } = options;
  const entries: RemovalEntry[] = [];
  for (const item of items) {
    const path = libraryPath(libraryDir, item.relPath);
    const identity = path === undefined ? undefined : await fileIdentity(path);
    entries.push({
      mediaId: item.mediaId,
      relPath: item.relPath,
      ino: identity?.ino ?? null,
      size: identity?.size ?? 0,
      mtimeNs: identity?.mtimeNs ?? null,
    });
  }
  const tmpDir = join(libraryDir, LIBRARY_TMP_DIR);
  const intentPath = join(tmpDir, `${randomUUID()}${REMOVAL_INTENT_SUFFIX}`);
  const content: RemovalIntentContent = { thumbsDir, entries };
  const handle = await open(intentPath, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(content), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(tmpDir);

  return {
    intentPath,
    async finish(deletedMediaIds) {
      const deleted = new Set(deletedMediaIds);
      const freed = await removeEntries(
        libraryDir,
        thumbsDir,
        entries.filter((entry) => deleted.has(entry.mediaId)),
      );
      await unlinkIfPresent(intentPath);
      return freed;
    },
  };
}

/**
 * Finishes the removals a crash interrupted: for every `<library>/.tmp/*.removal` intent, the
 * listed originals (and thumbnails) whose rows are gone are removed — the rows were deleted, so
 * the files must follow — and those whose rows still exist are kept (the deletion never
 * committed). Then the intent goes. A torn intent was never followed by a deletion (the intent
 * is fsynced first), so it is simply dropped.
 *
 * @example
 * await finishRemovalIntents({ libraryDir, isRecorded: (paths) => recordedRelPaths(db, paths) });
 */
export async function finishRemovalIntents(options: {
  libraryDir: string;
  /** Which of these library paths a database row still records. */
  isRecorded: (relPaths: string[]) => Promise<Set<string>>;
  /** Only intents last modified before this instant (a removal may be under way); unset at start-up. */
  olderThan?: Date;
  /** Paths asked about per `isRecorded` call; 500 by default. */
  batchSize?: number;
}): Promise<RemovalSweepResult> {
  const { libraryDir, isRecorded, olderThan, batchSize = 500 } = options;
  const result: RemovalSweepResult = { intents: 0, removedFiles: 0, keptFiles: 0 };
  const tmpDir = join(libraryDir, LIBRARY_TMP_DIR);
  let names: string[];
  try {
    names = (await readdir(tmpDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith(REMOVAL_INTENT_SUFFIX))
      .map((entry) => entry.name);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return result;
    throw error;
  }

  for (const name of names) {
    const path = join(tmpDir, name);
    let content: string;
    try {
      if (olderThan !== undefined && (await lstat(path)).mtimeMs >= olderThan.getTime()) continue;
      content = await readFile(path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue; // finished by its own removal meanwhile
      throw error;
    }
    const intent = parseRemovalIntent(content);
    if (intent !== undefined) {
      const gone: RemovalEntry[] = [];
      for (let start = 0; start < intent.entries.length; start += batchSize) {
        const batch = intent.entries.slice(start, start + batchSize);
        const recorded = await isRecorded([...new Set(batch.map((entry) => entry.relPath))]);
        for (const entry of batch) {
          if (recorded.has(entry.relPath)) result.keptFiles++;
          else gone.push(entry);
        }
      }
      result.removedFiles += (await removeEntries(libraryDir, intent.thumbsDir, gone)).files;
    }
    await unlinkIfPresent(path);
    result.intents++;
  }
  return result;
}
