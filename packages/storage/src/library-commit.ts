import { link, lstat, mkdir, open, unlink, utimes } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { ensureDurableDir, syncDir } from './dir-sync.js';
import { StorageError } from './errors.js';
import { sanitizeFileName, withClashSuffix } from './file-names.js';
import { assertRealPathInsideLibrary, LIBRARY_TMP_DIR, resolveInsideLibrary } from './library-layout.js';
import { intentDir, IntentRecord, isIntendedFile, type PlacementIntent } from './placement-intent.js';
import { discardTemp } from './temp-upload.js';

/** Options of {@link commitToLibrary}. */
export interface CommitToLibraryOptions {
  /** A fully received upload, from `receiveToTemp`, on the library's filesystem. */
  tempPath: string;
  libraryDir: string;
  /** The folder inside the library, usually from `libraryRelativeDir`: `alice/2024/05`. */
  relDir: string;
  /** The original name; sanitised again here, and suffixed ` (2)`, ` (3)`… when taken. */
  fileName: string;
  /** Permissions of the placed file; 0644 by default, so the disk is browsable elsewhere. */
  fileMode?: number;
  /** Sets the placed file's modification time (the original's), for browsing the disk by date. */
  modifiedAt?: Date;
  /**
   * The temp file is already flushed to disk with `fileMode` (`receiveToTemp` with `durable` and
   * `fileMode`): its inode and size, so the commit need not open it again.
   */
  synced?: {
    ino: string;
    size: number;
    /** `receiveToTemp`'s `flushed` (`durable: 'background'`): waited for before the link. */
    flushed?: Promise<void>;
  };
}

/**
 * A file placed in the library whose database row is not committed yet. Exactly one of
 * `confirm()` (the row is committed) or `rollback()` (the insert failed or found a duplicate)
 * must follow; until then a crash leaves an intent record the start-up sweep resolves.
 */
export interface LibraryPlacement {
  /** Path inside the library with `/` separators, to store in the database. */
  relPath: string;
  absolutePath: string;
  /** Forgets the intent record; the file stays. Idempotent. */
  confirm(): Promise<void>;
  /** Removes the placed file and the intent record. Idempotent; refused after `confirm()`. */
  rollback(): Promise<void>;
  /**
   * The caller cannot record this name (say, a database row already claims it for a file someone
   * removed from the disk by hand): the same bytes move to the next free name, never one refused
   * before by this upload, and the new placement is returned in place of this one, which counts
   * as rolled back. The bytes go back to their temp name first, so a crash on the way loses
   * nothing acknowledged (the upload was never answered) and half-places nothing.
   */
  placeUnderNextName(): Promise<LibraryPlacement>;
}

const MAX_CLASH_SUFFIX = 9999;
/** What link() says on FAT and exFAT, which have no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function firstFreeSuffix(
  targetDir: string,
  fileName: string,
  from: number,
  isSkipped: (name: string) => boolean,
): Promise<number> {
  for (let n = from; n <= MAX_CLASH_SUFFIX; n++) {
    if (isSkipped(withClashSuffix(fileName, n))) continue;
    try {
      await lstat(join(targetDir, withClashSuffix(fileName, n)));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return n;
      throw error;
    }
  }
  throw new StorageError(
    'FILE_NAME_EXHAUSTED',
    `every variant of ${fileName} up to (${MAX_CLASH_SUFFIX}) is taken`,
  );
}

function normaliseRelDir(libraryDir: string, relDir: string): { relDir: string; targetDir: string } {
  const targetDir = resolveInsideLibrary(libraryDir, relDir);
  const normalised = posix.normalize(relDir.replace(/\\/g, '/')).replace(/^\.\/|\/+$/g, '');
  if (normalised.split('/')[0] === LIBRARY_TMP_DIR) {
    throw new StorageError('PATH_OUTSIDE_LIBRARY', `${relDir} is the library's temp folder`);
  }
  return { relDir: normalised, targetDir };
}

/**
 * Moves a received upload to its place in the library, durably and without ever overwriting:
 * fsyncs the file, creates and fsyncs the folders, records an intent, hard-links the file under
 * the first free name (`IMG_0001.HEIC`, `IMG_0001 (2).HEIC`, …; safe against concurrent commits),
 * fsyncs the folder and removes the temp name.
 *
 * Call `confirm()` once the database row is committed, or `rollback()` if it is not; a crash in
 * between is resolved by `sweepLibrary` at the next start. When it throws, the temp file is
 * left as it was, for the caller to `discardTemp`.
 *
 * @throws StorageError `PATH_OUTSIDE_LIBRARY`, `HARD_LINKS_UNSUPPORTED` (FAT/exFAT library disk),
 *   `FILE_NAME_EXHAUSTED`, `STORAGE_FULL`
 * @example
 * const placement = await commitToLibrary({ tempPath, libraryDir, relDir: libraryRelativeDir('alice', taken), fileName });
 * try {
 *   await insertMedia(db, { relPath: placement.relPath, … });
 * } catch (error) {
 *   await placement.rollback();
 *   throw error;
 * }
 * await placement.confirm();
 */
export async function commitToLibrary(options: CommitToLibraryOptions): Promise<LibraryPlacement> {
  return place(options, new Set());
}

/** {@link commitToLibrary}, never under a name in `refused` (library paths the caller could not record). */
async function place(
  options: CommitToLibraryOptions,
  refused: ReadonlySet<string>,
): Promise<LibraryPlacement> {
  const { tempPath, libraryDir, fileMode = 0o644, modifiedAt } = options;
  const fileName = sanitizeFileName(options.fileName);
  const { relDir, targetDir } = normaliseRelDir(libraryDir, options.relDir);
  const intent = new IntentRecord(libraryDir);
  const isSkipped = (name: string) => refused.has(posix.join(relDir, name));
  let suffix = 1;
  let keepIntent = false;
  let identity: Omit<PlacementIntent, 'relPath'>;

  const prepare = async () => {
    await mkdir(intentDir(libraryDir), { recursive: true, mode: 0o700 });
    await ensureDurableDir(libraryDir, targetDir);
    await assertRealPathInsideLibrary(libraryDir, targetDir);
    suffix = await firstFreeSuffix(targetDir, fileName, suffix, isSkipped);
    await intent.record({ relPath: posix.join(relDir, withClashSuffix(fileName, suffix)), ...identity });
  };
  try {
    if (options.synced !== undefined) {
      identity = { ino: options.synced.ino, size: options.synced.size };
      if (modifiedAt !== undefined) await utimes(tempPath, modifiedAt, modifiedAt);
      // The folders and the intent are prepared while the file's last flush finishes.
      const [flushed, prepared] = await Promise.allSettled([options.synced.flushed, prepare()]);
      if (flushed.status === 'rejected') throw flushed.reason;
      if (prepared.status === 'rejected') throw prepared.reason;
    } else {
      const handle = await open(tempPath, 'r+');
      try {
        await handle.chmod(fileMode);
        if (modifiedAt !== undefined) await handle.utimes(modifiedAt, modifiedAt);
        const stats = await handle.stat({ bigint: true });
        identity = { ino: stats.ino.toString(), size: Number(stats.size) };
        // The file's data is flushed while the folders and the intent are prepared.
        const [synced, prepared] = await Promise.allSettled([handle.sync(), prepare()]);
        if (synced.status === 'rejected') throw synced.reason;
        if (prepared.status === 'rejected') throw prepared.reason;
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    await intent.remove().catch(() => undefined);
    throw asStorageFull(error);
  }

  try {
    for (;;) {
      const name = withClashSuffix(fileName, suffix);
      const absolutePath = join(targetDir, name);
      try {
        await link(tempPath, absolutePath);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') {
          // Lost a race for this name: record the next free one before trying it.
          suffix = await firstFreeSuffix(targetDir, fileName, suffix + 1, isSkipped);
          await intent.record({
            relPath: posix.join(relDir, withClashSuffix(fileName, suffix)),
            ...identity,
          });
          continue;
        }
        if (NO_HARD_LINKS.has(errorCode(error) ?? '')) {
          throw new StorageError(
            'HARD_LINKS_UNSUPPORTED',
            `the library's filesystem cannot hard-link (${errorCode(error)}); use ext4, btrfs, XFS or NTFS, not FAT/exFAT`,
            { cause: error },
          );
        }
        throw error;
      }
      try {
        // Shared with concurrent commits into the same folder (group commit).
        await syncDir(targetDir);
      } catch (error) {
        // Not durable, so not placed: take it back. If even that fails, the intent stays for the sweep.
        keepIntent = !(await unlink(absolutePath).then(
          () => true,
          () => false,
        ));
        throw error;
      }
      // The bytes are placed; a temp name that will not go away is the sweep's business.
      await discardTemp(tempPath).catch(() => undefined);
      const placed = { relPath: posix.join(relDir, name), ...identity };
      return placementHandle(intent, placed, absolutePath, async (undo) => {
        await undo(tempPath);
        return place(options, new Set([...refused, placed.relPath]));
      });
    }
  } catch (error) {
    if (!keepIntent) await intent.remove().catch(() => undefined);
    throw asStorageFull(error);
  }
}

function asStorageFull(error: unknown): unknown {
  const code = errorCode(error);
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  return new StorageError('STORAGE_FULL', `the disk is full; cannot place the file (${code})`, {
    cause: error,
  });
}

function placementHandle(
  intent: IntentRecord,
  placed: PlacementIntent,
  absolutePath: string,
  placeAgain: (undo: (restoreTo: string) => Promise<void>) => Promise<LibraryPlacement>,
): LibraryPlacement {
  let state: 'pending' | 'confirmed' | 'rolled back' = 'pending';
  /** Removes the placed file (linked back at `restoreTo` first, when given) and the intent. */
  const undo = async (restoreTo?: string) => {
    if (state === 'confirmed') throw new Error(`${placed.relPath} was confirmed; it cannot be rolled back`);
    state = 'rolled back';
    if (await isIntendedFile(absolutePath, placed)) {
      if (restoreTo !== undefined) {
        // The temp name is in the library's .tmp, which the start-up sweep empties: after a
        // crash here the upload is simply lost (it was never answered), never half-placed.
        await link(absolutePath, restoreTo).catch(async (error: NodeJS.ErrnoException) => {
          // Already there is fine only if it is this very file (a repeated undo).
          if (error.code !== 'EEXIST' || !(await isIntendedFile(restoreTo, placed))) throw error;
        });
      }
      await unlink(absolutePath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      // The removal must be durable before the intent that would redo it disappears.
      await syncDir(dirname(absolutePath));
    }
    await intent.remove();
  };
  return {
    relPath: placed.relPath,
    absolutePath,
    async confirm() {
      if (state === 'rolled back')
        throw new Error(`${placed.relPath} was rolled back; it cannot be confirmed`);
      state = 'confirmed';
      await intent.remove();
    },
    rollback: () => undo(),
    async placeUnderNextName() {
      if (state !== 'pending') throw new Error(`${placed.relPath} was ${state}; it cannot be placed again`);
      return placeAgain(undo);
    },
  };
}
