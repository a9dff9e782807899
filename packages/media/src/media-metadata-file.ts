// Positioned reads from a media file, for the metadata readers: they jump between headers (a
// JPEG's segments, a MOV's atoms at the far end of a 1 GiB file) and must never load the file.
import { open, type FileHandle } from 'node:fs/promises';

const DEFAULT_READ_AHEAD = 64 * 1024;

/**
 * A file opened for reading at offsets. The last read is kept as a window, so walking the small
 * headers of neighbouring boxes costs one system call, not one per header. Counts what it read,
 * which is how the tests prove a large video is not read whole.
 */
export class RandomAccessFile {
  bytesRead = 0;
  reads = 0;
  #windowOffset = 0;
  #window: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<RandomAccessFile> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new RandomAccessFile(handle, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Up to `length` bytes at `offset` (fewer at the end of the file). A miss reads at least
   * `readAhead` bytes so that the next few headers come from memory. A miss reads into a fresh
   * buffer, so what an earlier call returned stays valid.
   */
  async read(offset: number, length: number, readAhead = DEFAULT_READ_AHEAD): Promise<Buffer> {
    if (offset < 0 || length < 0 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
      throw new RangeError(`bad read range ${offset}+${length}`);
    }
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return Buffer.alloc(0);
    const windowEnd = this.#windowOffset + this.#window.length;
    if (offset >= this.#windowOffset && end <= windowEnd) {
      return this.#window.subarray(offset - this.#windowOffset, end - this.#windowOffset);
    }
    const wanted = Math.min(Math.max(end - offset, readAhead), this.size - offset);
    const buffer = Buffer.allocUnsafe(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(buffer, filled, wanted - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      this.reads += 1;
    }
    this.bytesRead += filled;
    this.#windowOffset = offset;
    this.#window = buffer.subarray(0, filled);
    return this.#window.subarray(0, Math.min(end - offset, filled));
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
