import { lstat, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveInsideLibrary } from './library-layout.js';
import {
  fsyncDir,
  INTENT_SUFFIX,
  intentDir,
  isIntendedFile,
  parseIntent,
  type PlacementIntent,
} from './placement-intent.js';
import { finishRemovalIntents, type RemovalSweepResult } from './library-removal.js';

/** Options of {@link sweepLibrary}. */
export interface SweepLibraryOptions {
  libraryDir: string;
  /** Which of these library paths have a committed database row; asked in batches of `batchSize`. */
  isRecorded: (relPaths: string[]) => Promise<Set<string>>;
  /**
   * Only touch temp files and intents last modified before this instant. Unset at start-up (nothing
   * is in flight); set it (e.g. an hour ago) to sweep while the server is taking uploads.
   */
  olderThan?: Date;
  /** 500 by default. */
  batchSize?: number;
}

/** What a sweep did, for the server to log. */
export interface SweepResult {
  /** `.part` files of uploads that never finished. */
  removedTempFiles: number;
  /** Files placed in the library whose database row was never committed. */
  removedOrphans: number;
  /** Placements whose row was committed; only their intent record was left to remove. */
  keptConfirmed: number;
  /** Intent records that were unreadable, or whose file is gone or is not the one placed; removed. */
  ignoredIntents: number;
  /** Removals from the trash that a crash interrupted, finished; present only when any were found. */
  removals?: RemovalSweepResult;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

async function listTmp(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Reconciles the library after a crash, before uploads are accepted: removes every unfinished
 * upload (`.tmp/*.part`), and for every placement intent left behind, removes the placed file
 * if its row was never committed (it was never acknowledged), then the intent. Files with no
 * intent — everything confirmed, and anything copied in by hand — are never touched. Removal
 * intents (`.tmp/*.removal`, see `recordLibraryRemoval`) are finished: files whose rows were
 * deleted go, files whose rows still exist stay.
 *
 * @example
 * const swept = await sweepLibrary({ libraryDir, isRecorded: (paths) => mediaRelPathsIn(db, paths) });
 * log.info(swept, 'library swept');
 */
export async function sweepLibrary(options: SweepLibraryOptions): Promise<SweepResult> {
  const { libraryDir, isRecorded, olderThan, batchSize = 500 } = options;
  const result: SweepResult = { removedTempFiles: 0, removedOrphans: 0, keptConfirmed: 0, ignoredIntents: 0 };
  const tmpDir = intentDir(libraryDir);
  // A file gone since the listing was finished by its own upload meanwhile.
  const isStale = async (path: string): Promise<boolean> => {
    if (olderThan === undefined) return true;
    try {
      return (await lstat(path)).mtimeMs < olderThan.getTime();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  };
  const readIfPresent = (path: string): Promise<string | undefined> =>
    readFile(path, 'utf8').catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });

  const intents: Array<{ path: string; intent: PlacementIntent }> = [];
  const names = await listTmp(tmpDir);
  for (const name of names.filter((entry) => entry.endsWith(INTENT_SUFFIX))) {
    const path = join(tmpDir, name);
    if (!(await isStale(path))) continue;
    const content = await readIfPresent(path);
    if (content === undefined) continue;
    const intent = parseIntent(content);
    if (intent === undefined) {
      // Torn while being written: its link had not been attempted yet.
      await removeIfPresent(path);
      result.ignoredIntents++;
    } else {
      intents.push({ path, intent });
    }
  }

  for (let start = 0; start < intents.length; start += batchSize) {
    const batch = intents.slice(start, start + batchSize);
    const recorded = await isRecorded([...new Set(batch.map(({ intent }) => intent.relPath))]);
    for (const { path, intent } of batch) {
      if (recorded.has(intent.relPath)) {
        result.keptConfirmed++;
      } else if (await removeOrphan(libraryDir, intent)) {
        result.removedOrphans++;
      } else {
        result.ignoredIntents++;
      }
      await removeIfPresent(path);
    }
  }

  for (const name of names.filter((entry) => entry.endsWith('.part'))) {
    const path = join(tmpDir, name);
    if ((await isStale(path)) && (await removeIfPresent(path))) result.removedTempFiles++;
  }

  const removals = await finishRemovalIntents({ libraryDir, isRecorded, olderThan, batchSize });
  if (removals.intents > 0) result.removals = removals;
  return result;
}

async function removeOrphan(libraryDir: string, intent: PlacementIntent): Promise<boolean> {
  let absolutePath: string;
  try {
    absolutePath = resolveInsideLibrary(libraryDir, intent.relPath);
  } catch {
    return false;
  }
  if (!(await isIntendedFile(absolutePath, intent))) return false;
  if (!(await removeIfPresent(absolutePath))) return false;
  // Durable before its intent goes, or a power cut could bring back a file nobody tracks.
  await fsyncDir(dirname(absolutePath));
  return true;
}
