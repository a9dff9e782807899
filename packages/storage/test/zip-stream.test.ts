import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createZipStream, type ZipEntry, type ZipSkippedFile } from '../src/index.js';
import { tempDir } from './helper.js';
import { dosToString, inspectZip, unzip, writeSparse } from './zip-inspect.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('createZipStream', () => {
  it('archives files byte for byte, STORED, with descriptors, UTF-8 names and unique, safe names', async () => {
    const dir = await tempDir();
    const taken = new Date('2024-07-14T21:30:08.000Z');
    const sources: Array<{ name: string; expectedName: string; data: Buffer }> = [
      { name: 'IMG_0001.HEIC', expectedName: 'IMG_0001.HEIC', data: randomBytes(3 * MiB + 123) },
      { name: 'IMG_0001.HEIC', expectedName: 'IMG_0001 (2).HEIC', data: randomBytes(1000) },
      { name: 'img_0001.heic', expectedName: 'img_0001 (3).heic', data: randomBytes(10) },
      { name: 'empty.jpg', expectedName: 'empty.jpg', data: Buffer.alloc(0) },
      { name: 'one.png', expectedName: 'one.png', data: Buffer.from([7]) },
      { name: 'Été à Paris 📷.jpg', expectedName: 'Été à Paris 📷.jpg', data: randomBytes(5000) },
      { name: '../../etc/passwd.jpg', expectedName: 'passwd.jpg', data: randomBytes(100) },
      { name: 'C:\\Users\\me\\IMG_0002.JPG', expectedName: 'IMG_0002.JPG', data: randomBytes(100) },
      { name: 'a\u0007b\nc\u202e.mov', expectedName: 'abc.mov', data: randomBytes(2 * MiB) },
    ];
    const entries: ZipEntry[] = [];
    for (const [index, source] of sources.entries()) {
      const path = join(dir, `source-${index}`);
      await writeFile(path, source.data);
      entries.push({ name: source.name, path, modifiedAt: taken, utcOffsetMinutes: 120 });
    }
    entries.push({ name: '..', data: 'dots only', modifiedAt: taken });
    entries.push({ name: 'NOTE.txt', data: 'a note\n', modifiedAt: taken, utcOffsetMinutes: -300 });

    const archive = join(dir, 'out.zip');
    const length = await writeSparse(createZipStream(entries, { chunkBytes: 256 * 1024 }), archive);
    expect((await stat(archive)).size).toBe(length);
    expect(await unzip('-t', archive)).toContain('No errors detected');

    const out = join(dir, 'extracted');
    await unzip('-q', archive, '-d', out);
    const extracted = await filesUnder(out);
    const generated = extracted.filter((name) => name.startsWith('upload-'));
    expect(generated).toHaveLength(1);
    expect(extracted).toEqual(
      [...sources.map((source) => source.expectedName), 'NOTE.txt', generated[0]!].sort(),
    );
    for (const source of sources) {
      const bytes = await readFile(join(out, source.expectedName));
      expect(sha256(bytes), source.expectedName).toBe(sha256(source.data));
    }
    expect(await readFile(join(out, 'NOTE.txt'), 'utf8')).toBe('a note\n');
    // unzip restores the modification time from the extended timestamp: the instant taken.
    expect((await stat(join(out, 'IMG_0001.HEIC'))).mtime.toISOString()).toBe(taken.toISOString());

    const inspected = await inspectZip(archive);
    expect(inspected.zip64EndRecord).toBe(false);
    expect(inspected.entries.map((entry) => entry.name)).toEqual([
      ...sources.map((source) => source.expectedName),
      generated[0],
      'NOTE.txt',
    ]);
    for (const entry of inspected.entries) {
      expect(entry.method, entry.name).toBe(0);
      expect(entry.flags & 0x0808, entry.name).toBe(0x0808);
      expect(entry.local).toEqual({ flags: entry.flags, zip64: false, nameMatches: true });
      expect(entry.descriptor).toEqual({ crc: entry.crc, size: entry.size });
      expect(entry.compressedSize).toBe(entry.size);
      expect(entry.zip64).toBe(false);
      expect(entry.mtime).toBe(taken.getTime() / 1000);
    }
    const byName = new Map(inspected.entries.map((entry) => [entry.name, entry]));
    const heic = byName.get('IMG_0001.HEIC')!;
    // DOS time is the camera's local clock: 21:30:08 UTC at UTC+2.
    expect(dosToString(heic.dosDate, heic.dosTime)).toBe('2024-07-14 23:30:08');
    const note = byName.get('NOTE.txt')!;
    expect(dosToString(note.dosDate, note.dosTime)).toBe('2024-07-14 16:30:08');
  });

  it('skips a file it cannot open, says so before the next entry, and goes on', async () => {
    const dir = await tempDir();
    const kept = randomBytes(4096);
    await writeFile(join(dir, 'kept.jpg'), kept);
    await mkdir(join(dir, 'a-folder.jpg'));
    const skipped: ZipSkippedFile[] = [];
    const modifiedAt = new Date('2023-01-02T03:04:05.000Z');
    async function* entries(): AsyncGenerator<ZipEntry> {
      yield { name: 'gone.jpg', path: join(dir, 'gone.jpg'), modifiedAt };
      yield { name: 'kept.jpg', path: join(dir, 'kept.jpg'), modifiedAt };
      yield { name: 'folder.jpg', path: join(dir, 'a-folder.jpg'), modifiedAt };
      // Written last, from what was reported while the archive was made.
      yield {
        name: 'MISSING.txt',
        data: skipped.map((file) => `${file.name}\t${file.reason}`).join('\n'),
        modifiedAt,
      };
    }
    const archive = join(dir, 'out.zip');
    await writeSparse(createZipStream(entries(), { onSkip: (file) => skipped.push(file) }), archive);
    expect(skipped).toEqual([
      { name: 'gone.jpg', path: join(dir, 'gone.jpg'), reason: 'ENOENT' },
      { name: 'folder.jpg', path: join(dir, 'a-folder.jpg'), reason: 'NOT_A_FILE' },
    ]);
    expect(await unzip('-t', archive)).toContain('No errors detected');
    const out = join(dir, 'x');
    await unzip('-q', archive, '-d', out);
    expect(await filesUnder(out)).toEqual(['MISSING.txt', 'kept.jpg']);
    expect((await readFile(join(out, 'kept.jpg'))).equals(kept)).toBe(true);
    expect(await readFile(join(out, 'MISSING.txt'), 'utf8')).toBe('gone.jpg\tENOENT\nfolder.jpg\tNOT_A_FILE');
  });

  it('makes a valid empty archive of no entries', async () => {
    const dir = await tempDir();
    const archive = join(dir, 'empty.zip');
    expect(await writeSparse(createZipStream([]), archive)).toBe(22);
    expect((await inspectZip(archive)).entries).toEqual([]);
  });

  it('clamps dates DOS cannot hold and leaves out a timestamp 32 bits cannot', async () => {
    const dir = await tempDir();
    const archive = join(dir, 'dates.zip');
    await writeSparse(
      createZipStream([
        { name: 'old.jpg', data: 'x', modifiedAt: new Date('1970-01-01T00:00:00.000Z') },
        { name: 'far.jpg', data: 'y', modifiedAt: new Date('2200-01-01T00:00:00.000Z') },
      ]),
      archive,
    );
    expect(await unzip('-t', archive)).toContain('No errors detected');
    const [old, far] = (await inspectZip(archive)).entries;
    expect(dosToString(old!.dosDate, old!.dosTime)).toBe('1980-01-01 00:00:00');
    expect(old!.mtime).toBe(0);
    expect(dosToString(far!.dosDate, far!.dosTime)).toBe('2107-12-31 23:59:58');
    expect(far!.mtime).toBeUndefined();
  });
});
