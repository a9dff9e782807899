import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** One fsync of a folder, making its entries (files linked, renamed or removed in it) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Group commit for folder fsyncs. Four photos landing in the same month folder at once need the
// folder synced after each link, but one fsync that starts after all four links covers them all:
// a caller arriving while a sync runs waits for the next one, which everyone arriving meanwhile
// shares. Never fewer syncs than correctness needs: a caller is only ever answered by a sync that
// started after it asked.

class CoalescedDirSync {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly onIdle: () => void,
  ) {}

  request(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    if (this.#running === undefined) return (this.#running = this.#start());
    const queued = this.#running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.#queued = undefined;
        return (this.#running = this.#start());
      });
    this.#queued = queued;
    return queued;
  }

  #start(): Promise<void> {
    const sync: Promise<void> = fsyncDir(this.dir).finally(() => {
      if (this.#running !== sync) return;
      this.#running = undefined;
      if (this.#queued === undefined) this.onIdle();
    });
    return sync;
  }
}

const syncs = new Map<string, CoalescedDirSync>();

/**
 * Makes the entries of `dir` durable: resolves after an fsync of the folder that started after
 * this call. Concurrent calls for the same folder share one fsync.
 */
export function syncDir(dir: string): Promise<void> {
  let sync = syncs.get(dir);
  if (sync === undefined) {
    const created = new CoalescedDirSync(dir, () => {
      if (syncs.get(dir) === created) syncs.delete(dir);
    });
    syncs.set(dir, created);
    sync = created;
  }
  return sync.request();
}

/** Folders this process made durable (their entries in every parent synced), by absolute path. */
const durableDirs = new Map<string, Promise<void>>();

/**
 * Creates `targetDir` (and what is missing above it, up to `libraryDir`) and makes the whole
 * chain durable, so a file linked into it survives a power cut once the folder itself is synced.
 * The parents are synced once per folder per process: the first time this process meets the
 * folder (a crash may have left it created but never synced) and whenever it had to be created
 * again. Concurrent callers share the same syncs.
 */
export async function ensureDurableDir(libraryDir: string, targetDir: string): Promise<void> {
  const created = await mkdir(targetDir, { recursive: true, mode: 0o755 });
  let durable = created === undefined ? durableDirs.get(targetDir) : undefined;
  if (durable === undefined) {
    const root = resolve(libraryDir);
    // A folder's entry lives in its parent; the target's own entries are synced after the link.
    const parents: string[] = [];
    for (let dir = dirname(targetDir); dir.length >= root.length; dir = dirname(dir)) {
      parents.push(dir);
      if (dir === root || dirname(dir) === dir) break;
    }
    const pending = Promise.all(parents.map(syncDir)).then(() => undefined);
    durable = pending;
    durableDirs.set(targetDir, pending);
    pending.catch(() => {
      if (durableDirs.get(targetDir) === pending) durableDirs.delete(targetDir);
    });
  }
  await durable;
}
