import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';

const made: string[] = [];
const run = promisify(execFile);

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iclood-storage-'));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The names in a folder, sorted; `[]` when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/** Yields `chunks` one by one, as a request body would arrive. */
export async function* chunksOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** A small real filesystem that fills up: a tmpfs of `sizeBytes`. Needs root; `undefined` when mount is refused. */
export async function mountTinyTmpfs(
  sizeBytes: number,
): Promise<{ dir: string; unmount: () => Promise<void> } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'iclood-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    console.warn(`SKIPPED: cannot mount a tmpfs to fill up (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  return {
    dir,
    unmount: async () => {
      await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
