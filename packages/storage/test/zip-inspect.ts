// Test support for the ZIP writer: write an archive to disk (sparse where it is all zeros, so a
// 4 GiB archive of a sparse file costs no disk), run Info-ZIP's unzip on it, and read its
// central directory independently of the writer's own code.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ZEROS = Buffer.alloc(4 * 1024 * 1024);

function isAllZero(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += ZEROS.length) {
    const part = chunk.subarray(at, at + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

/** Writes the stream to `path`, seeking over all-zero chunks; returns the archive's length. */
export async function writeSparse(stream: Readable, path: string): Promise<number> {
  const handle = await open(path, 'w');
  let position = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!isAllZero(chunk)) await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
    await handle.truncate(position);
  } finally {
    await handle.close();
  }
  return position;
}

/** A file destination for `writeZip` that seeks over all-zero chunks, so the file stays sparse. */
export async function sparseFile(path: string): Promise<Writable & { length: () => number }> {
  const handle = await open(path, 'w');
  let position = 0;
  const destination = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      const at = position;
      position += chunk.length;
      if (isAllZero(chunk)) return callback();
      handle.write(chunk, 0, chunk.length, at).then(() => callback(), callback);
    },
    final(callback) {
      handle.truncate(position).then(() => callback(), callback);
    },
    destroy(error, callback) {
      handle.close().then(() => callback(error), callback);
    },
  });
  return Object.assign(destination, { length: () => position });
}

/** `unzip` with arguments; resolves with its output, rejects (with the output) on a non-zero exit. */
export async function unzip(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('unzip', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`unzip ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

export async function zipinfo(...args: string[]): Promise<string> {
  const { stdout } = await run('zipinfo', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** One central directory entry as the bytes say, with ZIP64 values resolved. */
export interface InspectedEntry {
  name: string;
  flags: number;
  method: number;
  versionNeeded: number;
  dosDate: number;
  dosTime: number;
  crc: number;
  size: number;
  compressedSize: number;
  offset: number;
  /** The ZIP64 extra field was present in the central directory. */
  zip64: boolean;
  /** Unix seconds from the extended timestamp field, when present. */
  mtime: number | undefined;
  /** The local header's own flags and whether it announced ZIP64. */
  local: { flags: number; zip64: boolean; nameMatches: boolean };
  /** The data descriptor found right after the data, decoded with the width the local header announced. */
  descriptor: { crc: number; size: number };
}

export interface InspectedArchive {
  entries: InspectedEntry[];
  zip64EndRecord: boolean;
  entryCount: number;
  directoryOffset: number;
  directorySize: number;
}

function extraFields(extra: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    fields.set(id, extra.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return fields;
}

/** Reads the end records and central directory of the archive at `path`, then each local header. */
export async function inspectZip(
  path: string,
  options: { localHeaders?: boolean } = {},
): Promise<InspectedArchive> {
  const handle = await open(path, 'r');
  try {
    const read = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const { size: fileSize } = await handle.stat();
    const tail = await read(Math.max(0, fileSize - 22), 22);
    if (tail.readUInt32LE(0) !== 0x06054b50) throw new Error('no end-of-central-directory record at the end');
    let entryCount = tail.readUInt16LE(10);
    let directorySize = tail.readUInt32LE(12);
    let directoryOffset = tail.readUInt32LE(16);
    let zip64EndRecord = false;
    // An archive too short for a ZIP64 locator (an empty one is 22 bytes) has none to look for.
    const locator = fileSize >= 42 ? await read(fileSize - 22 - 20, 20) : Buffer.alloc(0);
    if (locator.length === 20 && locator.readUInt32LE(0) === 0x07064b50) {
      const recordAt = Number(locator.readBigUInt64LE(8));
      const record = await read(recordAt, 56);
      if (record.readUInt32LE(0) !== 0x06064b50) throw new Error('ZIP64 locator points at no ZIP64 record');
      zip64EndRecord = true;
      entryCount = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    const directory = await read(directoryOffset, directorySize);
    const entries: InspectedEntry[] = [];
    for (let at = 0; entries.length < entryCount;) {
      if (directory.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header at ${at}`);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const name = directory.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      const extras = extraFields(
        directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength),
      );
      let size = directory.readUInt32LE(at + 24);
      let compressedSize = directory.readUInt32LE(at + 20);
      let offset = directory.readUInt32LE(at + 42);
      const wide = extras.get(0x0001);
      let cursor = 0;
      const next64 = () => Number(wide!.readBigUInt64LE((cursor += 8) - 8));
      if (size === 0xffffffff) size = next64();
      if (compressedSize === 0xffffffff) compressedSize = next64();
      if (offset === 0xffffffff) offset = next64();
      const timestamp = extras.get(0x5455);
      entries.push({
        name,
        flags: directory.readUInt16LE(at + 8),
        method: directory.readUInt16LE(at + 10),
        versionNeeded: directory.readUInt16LE(at + 6),
        dosTime: directory.readUInt16LE(at + 12),
        dosDate: directory.readUInt16LE(at + 14),
        crc: directory.readUInt32LE(at + 16),
        size,
        compressedSize,
        offset,
        zip64: wide !== undefined,
        mtime: timestamp && (timestamp[0]! & 1) === 1 ? timestamp.readUInt32LE(1) : undefined,
        local: { flags: 0, zip64: false, nameMatches: false },
        descriptor: { crc: 0, size: 0 },
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    for (const entry of options.localHeaders === false ? [] : entries) {
      const header = await read(entry.offset, 30);
      if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`no local header for ${entry.name}`);
      const nameLength = header.readUInt16LE(26);
      const extraLength = header.readUInt16LE(28);
      const rest = await read(entry.offset + 30, nameLength + extraLength);
      const zip64 = extraFields(rest.subarray(nameLength)).has(0x0001);
      const dataEnd = entry.offset + 30 + nameLength + extraLength + entry.compressedSize;
      const descriptor = await read(dataEnd, zip64 ? 24 : 16);
      if (descriptor.readUInt32LE(0) !== 0x08074b50)
        throw new Error(`no data descriptor after ${entry.name}`);
      entry.local = {
        flags: header.readUInt16LE(6),
        zip64,
        nameMatches: rest.subarray(0, nameLength).toString('utf8') === entry.name,
      };
      entry.descriptor = {
        crc: descriptor.readUInt32LE(4),
        size: zip64 ? Number(descriptor.readBigUInt64LE(16)) : descriptor.readUInt32LE(12),
      };
    }
    return { entries, zip64EndRecord, entryCount, directoryOffset, directorySize };
  } finally {
    await handle.close();
  }
}

/** The DOS date and time fields as `YYYY-MM-DD HH:MM:SS`. */
export function dosToString(date: number, time: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${1980 + (date >> 9)}-${pad((date >> 5) & 15)}-${pad(date & 31)} ` +
    `${pad(time >> 11)}:${pad((time >> 5) & 63)}:${pad((time & 31) * 2)}`
  );
}
