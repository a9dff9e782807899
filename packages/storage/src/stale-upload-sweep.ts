import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LIBRARY_TMP_DIR } from './library-layout.js';
import { sweepLibrary, type SweepLibraryOptions, type SweepResult } from './startup-sweep.js';

/** {@link sweepLibrary}'s result plus the bytes its removed temp files held. */
export interface StaleUploadSweepResult extends SweepResult {
  removedTempBytes: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function sizeIfPresent(path: string): Promise<number | undefined> {
  try {
    return (await lstat(path)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The sweep of a running server: {@link sweepLibrary} limited to uploads untouched since
 * `olderThan`, also telling how many bytes the removed `.part` files held (measured just before,
 * counted for the files the sweep then removed).
 *
 * @example
 * const swept = await sweepStaleUploads({ libraryDir, isRecorded, olderThan: new Date(now - 3_600_000) });
 */
export async function sweepStaleUploads(
  options: SweepLibraryOptions & { olderThan: Date },
): Promise<StaleUploadSweepResult> {
  const tmpDir = join(options.libraryDir, LIBRARY_TMP_DIR);
  const names = await readdir(tmpDir).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  const before = new Map<string, number>();
  for (const name of names.filter((entry) => entry.endsWith('.part'))) {
    const path = join(tmpDir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isFile() && stats.mtimeMs < options.olderThan.getTime()) before.set(path, stats.size);
  }
  const result = await sweepLibrary(options);
  let removedTempBytes = 0;
  for (const [path, size] of before) {
    if ((await sizeIfPresent(path)) === undefined) removedTempBytes += size;
  }
  return { ...result, removedTempBytes };
}
