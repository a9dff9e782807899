import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureDurableDir, syncDir } from '../src/dir-sync.js';
import { tempDir } from './helper.js';

// Counting fsyncs needs a look inside: FileHandle.prototype.sync is wrapped, so every real
// fsync still happens and is counted.
async function countingSyncs() {
  const probe = await open(await tempDir(), 'r');
  const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const original = prototype.sync;
  let count = 0;
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const spy = vi.spyOn(prototype, 'sync').mockImplementation(async function (this: unknown) {
    count += 1;
    if (gate) await gate;
    return original.call(this);
  });
  return {
    get count() {
      return count;
    },
    /** Holds every fsync until `open()`: lets a test pile callers up behind a running sync. */
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    open() {
      gate = undefined;
      release();
    },
    restore: () => spy.mockRestore(),
  };
}

describe('folder syncs', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('share one fsync among callers that arrive while another runs, and never answer early', async () => {
    const dir = await tempDir();
    const syncs = await countingSyncs();
    restore = syncs.restore;
    syncs.hold();
    const first = syncDir(dir);
    // These arrive while the first sync runs: it may have started before their changes, so they
    // wait for one more sync, which they all share.
    await writeFile(join(dir, 'a'), 'a');
    const late = Array.from({ length: 5 }, () => syncDir(dir));
    let lateDone = false;
    void Promise.all(late).then(() => (lateDone = true));
    syncs.open();
    await first;
    await Promise.all(late);
    expect(lateDone).toBe(true);
    expect(syncs.count).toBe(2);
    // Nothing running now: the next caller gets a sync of its own.
    await syncDir(dir);
    expect(syncs.count).toBe(3);
  });

  it('passes a failed sync on to every caller sharing it', async () => {
    await expect(syncDir(join(await tempDir(), 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('syncs the parents of a month folder the first time only, then again after it is recreated', async () => {
    const library = await tempDir();
    const target = join(library, 'alice', '2024', '05');
    const syncs = await countingSyncs();
    restore = syncs.restore;
    await ensureDurableDir(library, target);
    // library, alice, alice/2024
    expect(syncs.count).toBe(3);
    await Promise.all([ensureDurableDir(library, target), ensureDurableDir(library, target)]);
    expect(syncs.count).toBe(3);
    const other = join(library, 'alice', '2024', '06');
    await mkdir(other, { recursive: true });
    // Made by someone else before this process met it: synced once anyway.
    await ensureDurableDir(library, other);
    expect(syncs.count).toBe(6);
  });
});
