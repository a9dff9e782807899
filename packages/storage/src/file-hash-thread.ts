// The hashing worker of file-hash-worker.ts: reads back, from the page cache, the part of an
// upload's temp file that the writer says is written, and hashes it (SHA-256), one job at a time.
import { Buffer } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** What the pool sends; every message names its job, so a late one for a cancelled job is dropped. */
export type HashRequest =
  | { type: 'start'; id: number; path: string }
  | { type: 'written' | 'end'; id: number; upTo: number }
  | { type: 'cancel'; id: number };

/** What the worker answers. */
export type HashReply =
  | { type: 'hashed'; id: number; upTo: number }
  | { type: 'digest'; id: number; hex: string }
  | { type: 'error'; id: number; message: string; code?: string };

const port = parentPort;
if (port === null) throw new Error('file-hash-thread runs as a worker thread');

const buffer = Buffer.allocUnsafe(1024 * 1024);
let job: { id: number; fd: number; hash: Hash; hashed: number } | undefined;

function close(): void {
  if (job !== undefined) {
    try {
      closeSync(job.fd);
    } catch {
      // Already closed or gone: nothing to give back.
    }
  }
  job = undefined;
}

function handle(message: HashRequest): HashReply | undefined {
  if (message.type === 'cancel') {
    if (job?.id === message.id) close();
    return undefined;
  }
  if (message.type === 'start') {
    close();
    job = { id: message.id, fd: openSync(message.path, 'r'), hash: createHash('sha256'), hashed: 0 };
    return undefined;
  }
  if (job?.id !== message.id) return undefined;
  while (job.hashed < message.upTo) {
    const read = readSync(job.fd, buffer, 0, Math.min(buffer.length, message.upTo - job.hashed), job.hashed);
    if (read === 0) throw new Error('the temp file is shorter than what was written');
    job.hash.update(buffer.subarray(0, read));
    job.hashed += read;
  }
  if (message.type === 'written') return { type: 'hashed', id: message.id, upTo: job.hashed };
  const hex = job.hash.digest('hex');
  close();
  return { type: 'digest', id: message.id, hex };
}

port.on('message', (message: HashRequest) => {
  try {
    const reply = handle(message);
    if (reply !== undefined) port.postMessage(reply);
  } catch (error) {
    close();
    const { message: text, code } = error as NodeJS.ErrnoException;
    port.postMessage({ type: 'error', id: message.id, message: String(text), code } satisfies HashReply);
  }
});
