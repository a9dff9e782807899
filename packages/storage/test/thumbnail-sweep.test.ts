import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepOrphanThumbnails, thumbnailPath, thumbnailUsage } from '../src/index.js';
import { tempDir } from './helper.js';

async function put(path: string, bytes: number): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, randomBytes(bytes));
  return (await stat(path)).size;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('thumbnail folder usage and orphan sweep', () => {
  it('counts every file under the folder and its bytes, and 0 for a missing folder', async () => {
    const thumbs = await tempDir();
    let bytes = 0;
    for (let index = 0; index < 150; index++) {
      bytes += await put(thumbnailPath(thumbs, randomUUID(), index % 2 ? 'small' : 'preview'), 100 + index);
    }
    bytes += await put(join(thumbs, 'stray.txt'), 7);
    expect(await thumbnailUsage(thumbs)).toEqual({ files: 151, bytes });
    expect(await thumbnailUsage(join(thumbs, 'nope'))).toEqual({ files: 0, bytes: 0 });
  });

  it('removes thumbnails whose media row is gone, keeps the others and anything not a thumbnail', async () => {
    const thumbs = await tempDir();
    const kept = Array.from({ length: 30 }, () => randomUUID());
    const gone = Array.from({ length: 25 }, () => randomUUID());
    let goneBytes = 0;
    for (const id of kept) {
      await put(thumbnailPath(thumbs, id, 'small'), 300);
      await put(thumbnailPath(thumbs, id, 'preview'), 900);
    }
    for (const id of gone) {
      goneBytes += await put(thumbnailPath(thumbs, id, 'small'), 200);
      goneBytes += await put(thumbnailPath(thumbs, id, 'preview'), 1000);
    }
    await put(join(thumbs, 'ab', 'notes.txt'), 10);
    await put(join(thumbs, 'ab', `${randomUUID()}-huge.webp`), 10);

    const asked: string[][] = [];
    const existing = new Set<string>(kept);
    const removed = await sweepOrphanThumbnails({
      thumbsDir: thumbs,
      batchSize: 16,
      existingMediaIds: async (ids) => {
        asked.push(ids);
        return new Set(ids.filter((id) => existing.has(id)));
      },
    });
    expect(removed).toEqual({ files: 50, bytes: goneBytes });
    // Asked in batches of at most 16 files, each id once per batch.
    expect(asked.every((ids) => ids.length <= 16 && new Set(ids).size === ids.length)).toBe(true);
    const left = await filesUnder(thumbs);
    expect(left).toHaveLength(kept.length * 2 + 2);
    for (const id of gone) expect(left.some((file) => file.includes(id))).toBe(false);
    for (const id of kept) expect(left.filter((file) => file.includes(id))).toHaveLength(2);

    // Nothing left to remove the second time.
    expect(
      await sweepOrphanThumbnails({
        thumbsDir: thumbs,
        existingMediaIds: async (ids) => new Set(ids.filter((id) => existing.has(id))),
      }),
    ).toEqual({ files: 0, bytes: 0 });
  });
});
