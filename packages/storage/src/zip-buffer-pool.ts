/**
 * A fixed set of read buffers handed out and given back, so streaming a gigabyte allocates a few
 * megabytes once. Fresh buffers per read would each count as external memory, and V8 answers a
 * steady stream of those with a full mark-compact every hundred megabytes or so: in a server
 * whose heap is tens of megabytes, that alone halves throughput.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly owned = new Set<ArrayBufferLike>();
  private readonly waiting: Array<{ resolve: (buffer: Buffer) => void; reject: (error: Error) => void }> = [];
  private closedWith: Error | undefined;

  constructor(
    count: number,
    readonly size: number,
  ) {
    for (let index = 0; index < count; index++) {
      const buffer = Buffer.allocUnsafeSlow(size);
      this.owned.add(buffer.buffer);
      this.free.push(buffer);
    }
  }

  /** A free buffer, waiting for one to be given back if all are out. */
  take(): Buffer | Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const buffer = this.free.pop();
    if (buffer) return buffer;
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Gives back a buffer (or a view of one) once nothing reads it any more; others are ignored. */
  give(chunk: Buffer): void {
    if (!this.owned.has(chunk.buffer)) return;
    const buffer = Buffer.from(chunk.buffer, 0, this.size);
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(buffer);
    else this.free.push(buffer);
  }

  /** Fails every wait, now and later: the consumer is gone. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
