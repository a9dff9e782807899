import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createZipStream, type ZipEntry } from '../src/index.js';
import { tempDir } from './helper.js';
import { inspectZip, unzip, writeSparse } from './zip-inspect.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('createZipStream ZIP64', () => {
  it('writes ZIP64 everywhere when forced, and unzip reads it', async () => {
    const dir = await tempDir();
    const files = [randomBytes(700_000), randomBytes(1), Buffer.alloc(0)];
    const entries: ZipEntry[] = [];
    for (const [index, data] of files.entries()) {
      await writeFile(join(dir, `f${index}`), data);
      entries.push({ name: `IMG_${index}.JPG`, path: join(dir, `f${index}`), modifiedAt: new Date() });
    }
    entries.push({ name: 'note.txt', data: 'in memory', modifiedAt: new Date() });
    const archive = join(dir, 'forced.zip');
    await writeSparse(createZipStream(entries, { forceZip64: true }), archive);

    expect(await unzip('-t', archive)).toContain('No errors detected');
    const inspected = await inspectZip(archive);
    expect(inspected.zip64EndRecord).toBe(true);
    expect(inspected.entryCount).toBe(4);
    for (const entry of inspected.entries) {
      expect(entry.zip64, entry.name).toBe(true);
      expect(entry.local.zip64, entry.name).toBe(true);
      expect(entry.versionNeeded).toBe(45);
      expect(entry.descriptor).toEqual({ crc: entry.crc, size: entry.size });
    }
    const out = join(dir, 'out');
    await unzip('-q', archive, '-d', out);
    for (const [index, data] of files.entries()) {
      expect(sha256(await readFile(join(out, `IMG_${index}.JPG`)))).toBe(sha256(data));
    }
    expect(await readFile(join(out, 'note.txt'), 'utf8')).toBe('in memory');
  });

  it('switches to the ZIP64 end records past 65,535 entries', async () => {
    const dir = await tempDir();
    const count = 70_000;
    function* entries(): Generator<ZipEntry> {
      const modifiedAt = new Date('2020-02-02T02:02:02.000Z');
      // The same name over and over: suffixes must stay unique and cheap to find.
      for (let index = 0; index < count; index++) yield { name: 'IMG.JPG', data: `${index}`, modifiedAt };
    }
    const archive = join(dir, 'many.zip');
    await writeSparse(createZipStream(entries()), archive);
    const inspected = await inspectZip(archive, { localHeaders: false });
    expect(inspected.zip64EndRecord).toBe(true);
    expect(inspected.entryCount).toBe(count);
    expect(new Set(inspected.entries.map((entry) => entry.name)).size).toBe(count);
    expect(inspected.entries[1]!.name).toBe('IMG (2).JPG');
    expect(inspected.entries.at(-1)!.name).toBe(`IMG (${count}).JPG`);
    const tested = await unzip('-tq', archive);
    expect(tested).toContain('No errors detected');
    expect(await unzip('-p', archive, `IMG (${count}).JPG`)).toBe(`${count - 1}`);
  });
});
