// Kept by hand rather than archiver/yazl: a restore is STORED entries read in 512 KiB chunks from
// a buffer pool, with ZIP64 past 4 GiB and one CRC pass, and bench/library/zip holds it to
// ≥ 0.8 × reading the same files from disk; the libraries add deflate machinery it never uses.
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { sanitizeFileName, withClashSuffix } from './file-names.js';
import { BufferPool } from './zip-buffer-pool.js';
import {
  centralDirectoryHeader,
  dataDescriptor,
  dosDateTime,
  endOfCentralDirectory,
  localFileHeader,
  unixSeconds,
  ZIP32_MAX,
  type WrittenEntry,
} from './zip-records.js';

interface ZipEntryCommon {
  /** The name in the archive; sanitised (one path segment, no controls) and made unique. */
  name: string;
  /** When the item was taken; stored as DOS local time and as a UTC extended timestamp. */
  modifiedAt: Date;
  /** The local clock's offset at `modifiedAt`; UTC when null or absent. */
  utcOffsetMinutes?: number | null;
}

/** A file on disk, read when its turn comes. */
export interface ZipFileEntry extends ZipEntryCommon {
  path: string;
}

/** Small bytes held in memory (a note listing what was missing, say). */
export interface ZipDataEntry extends ZipEntryCommon {
  data: Uint8Array | string;
}

export type ZipEntry = ZipFileEntry | ZipDataEntry;

/** A file entry left out because it could not be opened as a regular file. */
export interface ZipSkippedFile {
  name: string;
  path: string;
  /** `ENOENT`, `EACCES`, `EISDIR`, `NOT_A_FILE`, … */
  reason: string;
}

/** Options of {@link createZipStream}. */
export interface ZipStreamOptions {
  /**
   * Called, before the next entry is asked for, for each file that could not be opened; the
   * archive goes on without it. A file that fails mid-read aborts the stream instead, because
   * its header is already sent.
   */
  onSkip?: (skipped: ZipSkippedFile) => void;
  /** ZIP64 fields and records even when nothing needs them (tests, picky readers). */
  forceZip64?: boolean;
  /** Bytes read from a file at a time; 512 KiB by default. */
  chunkBytes?: number;
  /** Bytes the stream buffers ahead of its consumer; 2 MiB by default. */
  highWaterMark?: number;
}

/** Archive names, case-insensitively unique: the second `IMG_0001.HEIC` is `IMG_0001 (2).HEIC`. */
class ArchiveNames {
  private readonly taken = new Set<string>();
  private readonly lastSuffix = new Map<string, number>();

  claim(wanted: string): string {
    const safe = sanitizeFileName(wanted);
    const base = safe.toLowerCase();
    let suffix = this.lastSuffix.get(base) ?? 1;
    let name = safe;
    while (this.taken.has(name.toLowerCase())) name = withClashSuffix(safe, ++suffix);
    if (suffix > 1) this.lastSuffix.set(base, suffix);
    this.taken.add(name.toLowerCase());
    return name;
  }
}

async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number } | string> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'OPEN_FAILED';
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, size: stats.size };
    await handle.close();
    return 'NOT_A_FILE';
  } catch (error) {
    await handle.close();
    return (error as NodeJS.ErrnoException).code ?? 'STAT_FAILED';
  }
}

/** Where file bytes are read into: a fresh buffer each time, or one from a pool. */
interface ReadBuffers {
  take(): Buffer | Promise<Buffer>;
  /** A buffer taken but not handed on. */
  putBack(buffer: Buffer): void;
}

const DEFAULT_CHUNK_BYTES = 512 * 1024;

/**
 * A ZIP archive of `entries`, produced as it is read: each file is opened only when the consumer
 * wants its bytes, read once in `chunkBytes` pieces (CRC-32 computed as they pass), and closed
 * before the next is opened — or as soon as the stream is destroyed (the client went away).
 * Memory is a few chunks whatever the file sizes, plus some 150 bytes per entry (its central
 * directory record and its name, kept to make later names unique). Entries are STORED (photos and videos do not compress), with data descriptors,
 * UTF-8 names, DOS local time plus a UTC extended timestamp, and ZIP64 wherever a size, an
 * offset or the entry count needs it. Every chunk is a new buffer the consumer may keep; to an
 * HTTP response or a file, {@link writeZip} is faster.
 *
 * @example
 * const zip = createZipStream(filesOf(selection), { onSkip: (file) => missing.push(file.name) });
 * await pipeline(zip, output);
 */
export function createZipStream(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  options: ZipStreamOptions = {},
): Readable {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  return Readable.from(
    zipChunks(entries, options, { take: () => Buffer.allocUnsafeSlow(chunkBytes), putBack: () => undefined }),
    { objectMode: false, highWaterMark: options.highWaterMark ?? 2 * 1024 * 1024 },
  );
}

/** Options of {@link writeZip}. */
export interface WriteZipOptions extends Omit<ZipStreamOptions, 'highWaterMark'> {
  /** Read buffers in circulation (`chunkBytes` each); 4 by default. */
  buffers?: number;
}

function destinationGone(): Error {
  return Object.assign(new Error('the destination closed before the archive was finished'), {
    code: 'ERR_STREAM_PREMATURE_CLOSE',
  });
}

/** Resolves on `drain`; rejects if the destination closes or fails first. */
function drained(destination: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (destination.destroyed) return reject(destination.errored ?? destinationGone());
    const done = (error?: Error) => {
      destination.off('drain', onDrain).off('close', onClose).off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(destinationGone());
    const onError = (error: Error) => done(error);
    destination.on('drain', onDrain).on('close', onClose).on('error', onError);
  });
}

/**
 * Writes the same archive as {@link createZipStream} to `destination` (an HTTP response, a
 * file), reading files into a few buffers that are reused once `destination` has taken their
 * bytes (its write callback), so nothing is allocated per chunk. Waits for `drain` whenever
 * `destination` is full; ends it when the archive is complete. If `destination` closes first
 * (the client went away), the open file is closed and the promise rejects with
 * `ERR_STREAM_PREMATURE_CLOSE`; a read error rejects too, and `destination` is left for the
 * caller to destroy.
 *
 * @example
 * reply.hijack();
 * reply.raw.writeHead(200, { 'content-type': 'application/zip' });
 * await writeZip(reply.raw, entries).catch((error) => reply.raw.destroy(error));
 */
export async function writeZip(
  destination: Writable,
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  options: WriteZipOptions = {},
): Promise<void> {
  const pool = new BufferPool(options.buffers ?? 4, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const onClose = () => pool.close(destinationGone());
  // Without a listener an 'error' would crash the process; it also stops the reading.
  const onError = (error: Error) => pool.close(error);
  destination.once('close', onClose).on('error', onError);
  try {
    const buffers = { take: () => pool.take(), putBack: (buffer: Buffer) => pool.give(buffer) };
    for await (const chunk of zipChunks(entries, options, buffers)) {
      if (destination.destroyed || destination.writableEnded) throw destination.errored ?? destinationGone();
      // The callback runs once the bytes are handed on (to the kernel, for a socket).
      if (!destination.write(chunk, () => pool.give(chunk))) await drained(destination);
    }
    destination.end();
    await finished(destination);
  } finally {
    destination.off('close', onClose).off('error', onError);
    pool.close(destinationGone());
  }
}

/**
 * A file's bytes up to `size` (the size measured when it was opened: a file growing meanwhile
 * cannot outgrow the 32-bit sizes already promised in its header), one read ahead: the next read
 * runs on the thread pool while the current chunk is checksummed and sent.
 */
async function* fileChunks(handle: FileHandle, size: number, buffers: ReadBuffers): AsyncGenerator<Buffer> {
  const readAt = async (position: number): Promise<Buffer | undefined> => {
    const buffer = await buffers.take();
    try {
      const wanted = Math.min(buffer.length, size - position);
      const { bytesRead } = await handle.read(buffer, 0, wanted, position);
      if (bytesRead > 0) return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      buffers.putBack(buffer);
      return undefined;
    } catch (error) {
      buffers.putBack(buffer);
      throw error;
    }
  };
  // A read ahead may fail while this generator waits at `yield`: marked as handled here, its
  // error still surfaces where it is awaited.
  const ahead = (position: number) => {
    const read = readAt(position);
    read.catch(() => undefined);
    return read;
  };
  let position = 0;
  let next = size > 0 ? ahead(0) : undefined;
  try {
    while (next) {
      const chunk = await next;
      next = undefined;
      if (!chunk) return;
      position += chunk.length;
      if (position < size) next = ahead(position);
      yield chunk;
    }
  } finally {
    // The file must not be closed under a read in flight; that read's buffer goes back unused.
    const pending = await next?.catch(() => undefined);
    if (pending) buffers.putBack(pending);
  }
}

async function* zipChunks(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  options: ZipStreamOptions,
  buffers: ReadBuffers,
): AsyncGenerator<Buffer> {
  const forceZip64 = options.forceZip64 === true;
  const names = new ArchiveNames();
  const directory: Buffer[] = [];
  let offset = 0;

  for await (const entry of entries) {
    const opened = 'path' in entry ? await openRegularFile(entry.path) : undefined;
    if (typeof opened === 'string') {
      options.onSkip?.({ name: entry.name, path: (entry as ZipFileEntry).path, reason: opened });
      continue;
    }
    try {
      const data = 'data' in entry ? Buffer.from(entry.data) : undefined;
      const size = opened?.size ?? data!.length;
      const header = {
        name: Buffer.from(names.claim(entry.name), 'utf8'),
        when: dosDateTime(entry.modifiedAt, entry.utcOffsetMinutes ?? null),
        mtime: unixSeconds(entry.modifiedAt),
        zip64Sizes: forceZip64 || size >= ZIP32_MAX,
      };
      const local = localFileHeader(header);
      const start = offset;
      yield local;
      offset += local.length;

      let crc = 0;
      let written = 0;
      if (data) {
        crc = crc32(data);
        written = data.length;
        if (written > 0) yield data;
      } else {
        for await (const chunk of fileChunks(opened!.handle, size, buffers)) {
          crc = crc32(chunk, crc);
          written += chunk.length;
          yield chunk;
        }
      }
      offset += written;
      const written64 = { ...header, crc, size: written, offset: start } satisfies WrittenEntry;
      const descriptor = dataDescriptor(written64);
      yield descriptor;
      offset += descriptor.length;
      directory.push(centralDirectoryHeader(written64, forceZip64));
    } finally {
      await opened?.handle.close();
    }
  }

  const directoryOffset = offset;
  let directorySize = 0;
  // Handed out in batches: one large write instead of one per entry.
  for (let start = 0; start < directory.length; start += 1024) {
    const batch = Buffer.concat(directory.slice(start, start + 1024));
    directorySize += batch.length;
    yield batch;
  }
  yield endOfCentralDirectory({ entries: directory.length, directorySize, directoryOffset }, forceZip64);
}
