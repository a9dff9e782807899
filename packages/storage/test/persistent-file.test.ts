import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOrCreateFile } from '../src/index.js';
import { tempDir } from './helper.js';

describe('readOrCreateFile', () => {
  it('creates the file once with the given mode and returns the same value afterwards', async () => {
    const dir = await tempDir();
    const path = join(dir, 'jwt-secret');
    let calls = 0;
    const make = () => `secret-${++calls}`;

    expect(await readOrCreateFile(path, make, 0o600)).toBe('secret-1');
    expect(await readOrCreateFile(path, make, 0o600)).toBe('secret-1');
    expect(calls).toBe(1);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('secret-1');
  });

  it('lets concurrent creators agree on one value and leaves no temp files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'server-id');
    let n = 0;
    const values = await Promise.all(
      Array.from({ length: 8 }, () => readOrCreateFile(path, () => `value-${n++}`, 0o644)),
    );
    expect(new Set(values).size).toBe(1);
    expect(await readdir(dir)).toEqual(['server-id']);
  });

  it('refuses an empty existing file instead of using an empty secret', async () => {
    const dir = await tempDir();
    const path = join(dir, 'jwt-secret');
    await writeFile(path, '  \n');
    await expect(readOrCreateFile(path, () => 'x', 0o600)).rejects.toMatchObject({
      code: 'SECRET_FILE_INVALID',
    });
  });
});
