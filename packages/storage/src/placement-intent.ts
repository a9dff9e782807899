import { randomUUID } from 'node:crypto';
import { lstat, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './dir-sync.js';
import { LIBRARY_TMP_DIR } from './library-layout.js';

/**
 * What a placement intent records: the library path a commit is about to take, and the identity
 * of the file it places there, so a sweep never deletes a file it did not place (a clash's
 * owner, or one copied in by hand).
 */
export interface PlacementIntent {
  relPath: string;
  /** Inode number as a decimal string (64-bit on XFS and btrfs). */
  ino: string;
  size: number;
}

export const INTENT_SUFFIX = '.intent';

export function intentDir(libraryDir: string): string {
  return join(libraryDir, LIBRARY_TMP_DIR);
}

export { fsyncDir } from './dir-sync.js';

async function writeDurably(path: string, flags: 'wx' | 'r+', content: string): Promise<void> {
  const handle = await open(path, flags, 0o600);
  try {
    if (flags === 'r+') await handle.truncate(0);
    await handle.write(content, 0, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** A durable record of one commit in progress, at `<library>/.tmp/<uuid>.intent`. */
export class IntentRecord {
  readonly path: string;
  readonly #dir: string;
  #created = false;

  constructor(libraryDir: string) {
    this.#dir = intentDir(libraryDir);
    this.path = join(this.#dir, `${randomUUID()}${INTENT_SUFFIX}`);
  }

  /**
   * Durably records `intent` before the file is linked. Rewriting after a clash happens only after
   * the previous link failed, so a torn rewrite never hides a file of ours.
   */
  async record(intent: PlacementIntent): Promise<void> {
    const content = JSON.stringify(intent);
    if (this.#created) return writeDurably(this.path, 'r+', content);
    await writeDurably(this.path, 'wx', content);
    this.#created = true;
    // Shared with the intents of concurrent commits: one folder sync covers them all.
    await syncDir(this.#dir);
  }

  async remove(): Promise<void> {
    await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

export function parseIntent(content: string): PlacementIntent | undefined {
  try {
    const value = JSON.parse(content) as Partial<PlacementIntent>;
    const valid =
      typeof value.relPath === 'string' && typeof value.ino === 'string' && typeof value.size === 'number';
    return valid ? { relPath: value.relPath!, ino: value.ino!, size: value.size! } : undefined;
  } catch {
    return undefined;
  }
}

/** True when the file at `absolutePath` is the very file the intent placed. */
export async function isIntendedFile(absolutePath: string, intent: PlacementIntent): Promise<boolean> {
  try {
    const stats = await lstat(absolutePath, { bigint: true });
    return stats.isFile() && stats.ino.toString() === intent.ino && stats.size === BigInt(intent.size);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
