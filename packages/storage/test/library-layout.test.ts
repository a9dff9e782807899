import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  commitToLibrary,
  existingLibraryFolders,
  libraryRelativeDir,
  receiveToTemp,
  resolveInsideLibrary,
} from '../src/index.js';
import { chunksOf, listDir, tempDir } from './helper.js';

describe('libraryRelativeDir', () => {
  it('is <username>/<YYYY>/<MM> with a zero-padded month', () => {
    expect(libraryRelativeDir('alice', { year: 2024, month: 5 })).toBe('alice/2024/05');
    expect(libraryRelativeDir('bob', { year: 1999, month: 12 })).toBe('bob/1999/12');
  });

  it('refuses a folder name that sanitising would change, so no two names share a folder', () => {
    for (const folder of [
      '..',
      '.',
      '../alice',
      'bob/alice',
      '.tmp',
      '.carol',
      'carol.',
      'con',
      'a\\b',
      '',
    ]) {
      expect(() => libraryRelativeDir(folder, { year: 2024, month: 1 }), folder).toThrow(
        expect.objectContaining({ code: 'INVALID_NAME' }),
      );
    }
    expect(libraryRelativeDir('_con', { year: 2024, month: 1 })).toBe('_con/2024/01');
    expect(libraryRelativeDir('carol-2', { year: 2024, month: 1 })).toBe('carol-2/2024/01');
  });

  it('refuses an impossible date', () => {
    expect(() => libraryRelativeDir('alice', { year: 2024, month: 13 })).toThrow(RangeError);
    expect(() => libraryRelativeDir('alice', { year: 0, month: 1 })).toThrow(RangeError);
    expect(() => libraryRelativeDir('alice', { year: 2024.5, month: 1 })).toThrow(RangeError);
  });
});

describe('existingLibraryFolders', () => {
  it('lists the top of the library in lower case, and nothing for a library not made yet', async () => {
    const library = await tempDir();
    expect(await existingLibraryFolders(join(library, 'absent'))).toEqual(new Set());
    await mkdir(join(library, 'Carol'));
    await mkdir(join(library, '.tmp'));
    expect(await existingLibraryFolders(library)).toEqual(new Set(['carol', '.tmp']));
  });
});

describe('resolveInsideLibrary', () => {
  const library = '/srv/library';

  it('resolves paths inside the library', () => {
    expect(resolveInsideLibrary(library, 'alice/2024/05/IMG_0001.HEIC')).toBe(
      '/srv/library/alice/2024/05/IMG_0001.HEIC',
    );
    expect(resolveInsideLibrary('/srv/library/', './alice')).toBe('/srv/library/alice');
  });

  it('throws PATH_OUTSIDE_LIBRARY for every escape attempt', () => {
    const attempts = [
      '../etc/passwd',
      'alice/../../etc/passwd',
      'alice/..',
      '..',
      '/etc/passwd',
      '\\\\server\\share',
      'C:\\Windows\\win.ini',
      'c:relative',
      'alice\\..\\..\\etc',
      'alice/2024/\0.jpg',
      '',
      '.',
      './',
      'alice/./../..',
    ];
    for (const attempt of attempts) {
      expect(() => resolveInsideLibrary(library, attempt), attempt).toThrow(
        expect.objectContaining({ code: 'PATH_OUTSIDE_LIBRARY' }),
      );
    }
  });

  it('does not let a library that is a prefix of a sibling reach the sibling', () => {
    expect(() => resolveInsideLibrary('/srv/lib', '../library/x')).toThrow(
      expect.objectContaining({ code: 'PATH_OUTSIDE_LIBRARY' }),
    );
  });

  it('refuses to commit through a symlink that points out of the library', async () => {
    const root = await tempDir();
    const libraryDir = join(root, 'library');
    const outside = join(root, 'outside');
    await mkdir(join(libraryDir, '.tmp'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(libraryDir, 'alice'));
    const upload = await receiveToTemp(chunksOf(Buffer.from('bytes')), { tmpDir: join(libraryDir, '.tmp') });
    await expect(
      commitToLibrary({ tempPath: upload.tempPath, libraryDir, relDir: 'alice/2024/05', fileName: 'a.jpg' }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_LIBRARY' });
    expect(await listDir(join(outside, '2024', '05'))).toEqual([]);
    expect(await listDir(join(libraryDir, '.tmp'))).toEqual([upload.tempPath.split('/').pop()]);
  });

  it('refuses to commit into the temp folder', async () => {
    const libraryDir = await tempDir();
    await expect(
      commitToLibrary({
        tempPath: join(libraryDir, 'x.part'),
        libraryDir,
        relDir: '.tmp',
        fileName: 'a.jpg',
      }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_LIBRARY' });
    await expect(
      commitToLibrary({
        tempPath: join(libraryDir, 'x.part'),
        libraryDir,
        relDir: './.tmp/x',
        fileName: 'a.jpg',
      }),
    ).rejects.toMatchObject({ code: 'PATH_OUTSIDE_LIBRARY' });
  });
});
