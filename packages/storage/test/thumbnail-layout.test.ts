import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseThumbnailFileName, removeThumbnails, thumbnailPath } from '../src/index.js';

const ID = '0f8e4c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('thumbnail layout', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts each size under a two-digit fan-out folder and reads the name back', () => {
    const path = thumbnailPath('/data/thumbs', ID, 'small');
    expect(path).toBe(`/data/thumbs/0f/${ID}-small.webp`);
    expect(parseThumbnailFileName(`${ID}-preview.webp`)).toEqual({ mediaId: ID, size: 'preview' });
    expect(parseThumbnailFileName(`${ID}-huge.webp`)).toBeUndefined();
    expect(parseThumbnailFileName('notes.txt')).toBeUndefined();
  });

  it('refuses anything but a lowercase uuid, so no client text reaches the path', () => {
    expect(() => thumbnailPath('/t', '../../etc/passwd', 'small')).toThrow(RangeError);
    expect(() => thumbnailPath('/t', ID.toUpperCase(), 'small')).toThrow(RangeError);
  });

  it('removes both sizes, reports the bytes freed, and tolerates missing files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'iclood-thumbs-'));
    const small = thumbnailPath(dir, ID, 'small');
    await mkdir(dirname(small), { recursive: true });
    await writeFile(small, Buffer.alloc(300));
    expect(await removeThumbnails(dir, ID)).toBe(300);
    expect(await readdir(dirname(small))).toEqual([]);
    expect(await removeThumbnails(dir, ID)).toBe(0);
  });
});
