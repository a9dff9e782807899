import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDataLayout } from '../src/index.js';
import { tempDir } from './helper.js';

describe('prepareDataLayout', () => {
  it('creates the data and library folders with private modes for secrets and temp files', async () => {
    const root = await tempDir();
    const layout = await prepareDataLayout(join(root, 'data'), join(root, 'disk', 'library'));

    expect(layout.dbDir).toBe(join(root, 'data', 'db'));
    expect(layout.libraryTmpDir).toBe(join(root, 'disk', 'library', '.tmp'));
    for (const dir of [
      layout.dbDir,
      layout.thumbsDir,
      layout.secretsDir,
      layout.backupsDir,
      layout.libraryTmpDir,
    ]) {
      expect((await stat(dir)).isDirectory()).toBe(true);
    }
    expect((await stat(layout.secretsDir)).mode & 0o777).toBe(0o700);
    expect((await stat(layout.libraryTmpDir)).mode & 0o777).toBe(0o700);
  });

  it('is idempotent', async () => {
    const root = await tempDir();
    const first = await prepareDataLayout(join(root, 'data'), join(root, 'library'));
    const second = await prepareDataLayout(join(root, 'data'), join(root, 'library'));
    expect(second).toEqual(first);
  });

  it('fails with DATA_DIR_UNUSABLE naming the folder when a path is blocked by a file', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'data'), 'not a folder');
    await expect(prepareDataLayout(join(root, 'data'), join(root, 'library'))).rejects.toMatchObject({
      code: 'DATA_DIR_UNUSABLE',
      message: expect.stringContaining(join(root, 'data')),
    });
  });
});
