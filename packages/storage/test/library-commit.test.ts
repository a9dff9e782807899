import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitToLibrary, receiveToTemp } from '../src/index.js';
import { intentDir } from '../src/placement-intent.js';
import { chunksOf, listDir, tempDir } from './helper.js';

async function library() {
  const libraryDir = await tempDir();
  const tmpDir = join(libraryDir, '.tmp');
  await mkdir(tmpDir);
  const upload = async (bytes: Buffer) => receiveToTemp(chunksOf(bytes), { tmpDir });
  return { libraryDir, tmpDir, upload };
}

const intents = async (tmpDir: string) => (await readdir(tmpDir)).filter((name) => name.endsWith('.intent'));

describe('commitToLibrary', () => {
  it('places the bytes at <relDir>/<name>, readable (0644), leaving only an intent until confirmed', async () => {
    const { libraryDir, tmpDir, upload } = await library();
    const bytes = randomBytes(100_000);
    const received = await upload(bytes);
    const placement = await commitToLibrary({
      tempPath: received.tempPath,
      libraryDir,
      relDir: 'alice/2024/05',
      fileName: 'IMG_0001.HEIC',
      modifiedAt: new Date('2024-05-01T10:00:00Z'),
    });
    expect(placement.relPath).toBe('alice/2024/05/IMG_0001.HEIC');
    expect(placement.absolutePath).toBe(join(libraryDir, 'alice', '2024', '05', 'IMG_0001.HEIC'));
    expect((await readFile(placement.absolutePath)).equals(bytes)).toBe(true);
    const stats = await stat(placement.absolutePath);
    expect(stats.mode & 0o777).toBe(0o644);
    expect(stats.mtime.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    const [intent] = await intents(tmpDir);
    expect(await readdir(tmpDir)).toEqual([intent]);
    expect(JSON.parse(await readFile(join(tmpDir, intent!), 'utf8'))).toMatchObject({
      relPath: 'alice/2024/05/IMG_0001.HEIC',
      size: 100_000,
    });

    await placement.confirm();
    await placement.confirm();
    expect(await readdir(tmpDir)).toEqual([]);
    expect((await readFile(placement.absolutePath)).equals(bytes)).toBe(true);
    await expect(placement.rollback()).rejects.toThrow(/confirmed/);
  });

  it('never overwrites: a taken name becomes " (2)", then " (3)"', async () => {
    const { libraryDir, upload } = await library();
    const dir = join(libraryDir, 'alice', '2024', '05');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'IMG_0001.HEIC'), 'copied in by hand');
    const paths: string[] = [];
    for (const content of ['first', 'second']) {
      const placement = await commitToLibrary({
        tempPath: (await upload(Buffer.from(content))).tempPath,
        libraryDir,
        relDir: 'alice/2024/05',
        fileName: 'IMG_0001.HEIC',
      });
      await placement.confirm();
      paths.push(placement.relPath);
    }
    expect(paths).toEqual(['alice/2024/05/IMG_0001 (2).HEIC', 'alice/2024/05/IMG_0001 (3).HEIC']);
    expect(await readFile(join(dir, 'IMG_0001.HEIC'), 'utf8')).toBe('copied in by hand');
    expect(await readFile(join(dir, 'IMG_0001 (2).HEIC'), 'utf8')).toBe('first');
    expect(await readFile(join(dir, 'IMG_0001 (3).HEIC'), 'utf8')).toBe('second');
  });

  it('gives concurrent commits of the same name distinct names, each with its own bytes', async () => {
    const { libraryDir, tmpDir, upload } = await library();
    const contents = Array.from({ length: 24 }, (_, i) => Buffer.from(`photo number ${i}`));
    const received = await Promise.all(contents.map(upload));
    const placements = await Promise.all(
      received.map(({ tempPath }) =>
        commitToLibrary({ tempPath, libraryDir, relDir: 'bob/2023/12', fileName: 'IMG_0001.JPG' }),
      ),
    );
    const names = placements.map((placement) => placement.relPath);
    expect(new Set(names).size).toBe(contents.length);
    expect(names).toContain('bob/2023/12/IMG_0001.JPG');
    expect(names).toContain(`bob/2023/12/IMG_0001 (${contents.length}).JPG`);
    for (const [i, placement] of placements.entries()) {
      expect(await readFile(placement.absolutePath)).toEqual(contents[i]);
    }
    expect(await intents(tmpDir)).toHaveLength(contents.length);
    await Promise.all(placements.map((placement) => placement.confirm()));
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('rolls back: removes the placed file and its intent, and nothing else', async () => {
    const { libraryDir, tmpDir, upload } = await library();
    const kept = await commitToLibrary({
      tempPath: (await upload(Buffer.from('kept'))).tempPath,
      libraryDir,
      relDir: 'alice/2024/05',
      fileName: 'a.jpg',
    });
    await kept.confirm();
    const duplicate = await commitToLibrary({
      tempPath: (await upload(Buffer.from('duplicate'))).tempPath,
      libraryDir,
      relDir: 'alice/2024/05',
      fileName: 'a.jpg',
    });
    expect(duplicate.relPath).toBe('alice/2024/05/a (2).jpg');
    await duplicate.rollback();
    await duplicate.rollback();
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual(['a.jpg']);
    expect(await readdir(tmpDir)).toEqual([]);
    await expect(duplicate.confirm()).rejects.toThrow(/rolled back/);
  });

  it('placeUnderNextName moves the bytes to the next free name, never back to one refused before', async () => {
    const { libraryDir, tmpDir, upload } = await library();
    const bytes = randomBytes(50_000);
    const received = await upload(bytes);
    const first = await commitToLibrary({
      tempPath: received.tempPath,
      libraryDir,
      relDir: 'alice/2024/05',
      fileName: 'a.jpg',
    });
    expect(first.relPath).toBe('alice/2024/05/a.jpg');

    const second = await first.placeUnderNextName();
    expect(second.relPath).toBe('alice/2024/05/a (2).jpg');
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual(['a (2).jpg']);
    await expect(first.confirm()).rejects.toThrow(/rolled back/);
    await expect(first.placeUnderNextName()).rejects.toThrow(/rolled back/);

    // a.jpg is free on the disk again, but this upload was refused it: the next name is (3).
    const third = await second.placeUnderNextName();
    expect(third.relPath).toBe('alice/2024/05/a (3).jpg');
    await third.confirm();
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual(['a (3).jpg']);
    expect((await readFile(third.absolutePath)).equals(bytes)).toBe(true);
    expect(await readdir(tmpDir)).toEqual([]);
    expect(await readdir(intentDir(libraryDir))).toEqual([]);
    await expect(third.placeUnderNextName()).rejects.toThrow(/confirmed/);
  });

  it('sanitises the name it is given', async () => {
    const { libraryDir, upload } = await library();
    const placement = await commitToLibrary({
      tempPath: (await upload(Buffer.from('x'))).tempPath,
      libraryDir,
      relDir: 'alice/2024/05',
      fileName: '../../../etc/cron.d/evil',
    });
    expect(placement.relPath).toBe('alice/2024/05/evil');
    await placement.confirm();
  });

  it("keeps the bytes byte-identical: the hash of the placed file is the upload's", async () => {
    const { libraryDir, upload } = await library();
    const received = await upload(randomBytes(3_000_000));
    const placement = await commitToLibrary({
      tempPath: received.tempPath,
      libraryDir,
      relDir: 'a/2024/01',
      fileName: 'v.mov',
    });
    const onDisk = createHash('sha256')
      .update(await readFile(placement.absolutePath))
      .digest('hex');
    expect(onDisk).toBe(received.sha256);
    await placement.confirm();
  });

  it('leaves the temp file to the caller and no intent when it fails', async () => {
    const { libraryDir, tmpDir, upload } = await library();
    const received = await upload(Buffer.from('x'));
    await writeFile(join(libraryDir, 'alice'), 'a file where a folder should be');
    await expect(
      commitToLibrary({
        tempPath: received.tempPath,
        libraryDir,
        relDir: 'alice/2024/05',
        fileName: 'a.jpg',
      }),
    ).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readdir(tmpDir)).toEqual([received.tempPath.split('/').pop()]);
  });
});
