import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, unlink } from 'node:fs/promises';
import { StorageError } from './errors.js';

interface LockOwner {
  pid: number;
  host: string;
}

const heldByThisProcess = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure only one iClood server uses a data directory: two processes on one embedded
 * database would corrupt it. The lock is `<dataDir>/iclood.lock` holding the owner's pid and
 * host; a lock left by a process that is gone (a crash, a replaced container) is taken over.
 *
 * @returns a function that releases the lock
 * @example
 * const release = await lockDataDir('/data');
 * // … on shutdown
 * await release();
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'iclood.lock');
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (heldByThisProcess.has(path)) break;
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      heldByThisProcess.add(path);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        heldByThisProcess.delete(path);
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    const ownerIsRunning =
      owner !== undefined && owner.host === me.host && owner.pid !== me.pid && isAlive(owner.pid);
    if (ownerIsRunning) {
      throw new StorageError(
        'DATA_DIR_LOCKED',
        `another iClood server (pid ${owner.pid}) is using ${dataDir}; stop it first`,
      );
    }
    // Stale: its process is gone (or it was this pid in an earlier container). Take it over.
    await unlink(path).catch(() => undefined);
  }
  throw new StorageError('DATA_DIR_LOCKED', `another iClood server in this process is using ${dataDir}`);
}
