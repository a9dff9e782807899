import { randomBytes } from 'node:crypto';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIBRARY_TMP_DIR, sweepStaleUploads } from '../src/index.js';
import { listDir, tempDir } from './helper.js';

describe('sweepStaleUploads', () => {
  it('removes only uploads untouched since the cut-off and counts their bytes', async () => {
    const library = await tempDir();
    const tmp = join(library, LIBRARY_TMP_DIR);
    await mkdir(tmp, { recursive: true });
    const now = Date.now();
    const cutoff = new Date(now - 3_600_000);
    const files = [
      { name: 'old-1.part', bytes: 5000, ageMs: 2 * 3_600_000 },
      { name: 'old-2.part', bytes: 123_456, ageMs: 3_600_000 + 60_000 },
      { name: 'fresh.part', bytes: 777, ageMs: 60_000 },
      { name: 'old-not-a-part.txt', bytes: 10, ageMs: 5 * 3_600_000 },
    ];
    for (const file of files) {
      const path = join(tmp, file.name);
      await writeFile(path, randomBytes(file.bytes));
      const at = new Date(now - file.ageMs);
      await utimes(path, at, at);
    }
    const result = await sweepStaleUploads({
      libraryDir: library,
      olderThan: cutoff,
      isRecorded: async () => new Set(),
    });
    expect(result).toMatchObject({ removedTempFiles: 2, removedTempBytes: 5000 + 123_456 });
    expect(await listDir(tmp)).toEqual(['fresh.part', 'old-not-a-part.txt']);
  });

  it('is a no-op without a temp folder', async () => {
    const library = await tempDir();
    const result = await sweepStaleUploads({
      libraryDir: library,
      olderThan: new Date(),
      isRecorded: async () => new Set(),
    });
    expect(result).toMatchObject({ removedTempFiles: 0, removedTempBytes: 0 });
  });
});
