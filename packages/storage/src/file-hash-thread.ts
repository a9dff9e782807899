// The hashing worker of file-hash-worker.ts: reads back, from the page cache, the part of an
// upload's file that the writer says is written, and hashes it (SHA-256). A job can be paused
// between the parts of a resumable upload: its file is closed, its hash state stays here.
import { Buffer } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** What the pool sends; every message names its job, so a late one for a cancelled job is dropped. */
export type HashRequest =
  | { type: 'start'; id: number; path: string }
  | { type: 'resume'; id: number; path: string }
  | { type: 'written' | 'end' | 'pause'; id: number; upTo: number }
  | { type: 'cancel'; id: number };

/** What the worker answers. */
export type HashReply =
  | { type: 'hashed' | 'paused'; id: number; upTo: number }
  | { type: 'digest'; id: number; hex: string }
  | { type: 'error'; id: number; message: string; code?: string };

const port = parentPort;
if (port === null) throw new Error('file-hash-thread runs as a worker thread');

const buffer = Buffer.allocUnsafe(1024 * 1024);
/** Running and paused jobs by id; a paused one has no file open. */
const jobs = new Map<number, { fd: number | undefined; hash: Hash; hashed: number }>();

function closeFile(id: number): void {
  const job = jobs.get(id);
  if (job?.fd === undefined) return;
  try {
    closeSync(job.fd);
  } catch {
    // Already closed or gone: nothing to give back.
  }
  job.fd = undefined;
}

function drop(id: number): void {
  closeFile(id);
  jobs.delete(id);
}

function handle(message: HashRequest): HashReply | undefined {
  if (message.type === 'cancel') {
    drop(message.id);
    return undefined;
  }
  if (message.type === 'start') {
    drop(message.id);
    jobs.set(message.id, { fd: openSync(message.path, 'r'), hash: createHash('sha256'), hashed: 0 });
    return undefined;
  }
  const job = jobs.get(message.id);
  if (job === undefined) throw new Error('no such hashing job (its state was lost)');
  if (message.type === 'resume') {
    closeFile(message.id);
    job.fd = openSync(message.path, 'r');
    return undefined;
  }
  while (job.hashed < message.upTo) {
    if (job.fd === undefined) throw new Error('the hashing job is paused');
    const read = readSync(job.fd, buffer, 0, Math.min(buffer.length, message.upTo - job.hashed), job.hashed);
    if (read === 0) throw new Error('the file is shorter than what was written');
    job.hash.update(buffer.subarray(0, read));
    job.hashed += read;
  }
  if (message.type === 'written') return { type: 'hashed', id: message.id, upTo: job.hashed };
  if (job.hashed !== message.upTo) throw new Error('the hash is past the bytes asked for');
  if (message.type === 'pause') {
    closeFile(message.id);
    return { type: 'paused', id: message.id, upTo: job.hashed };
  }
  const hex = job.hash.digest('hex');
  drop(message.id);
  return { type: 'digest', id: message.id, hex };
}

port.on('message', (message: HashRequest) => {
  try {
    const reply = handle(message);
    if (reply !== undefined) port.postMessage(reply);
  } catch (error) {
    drop(message.id);
    const { message: text, code } = error as NodeJS.ErrnoException;
    port.postMessage({ type: 'error', id: message.id, message: String(text), code } satisfies HashReply);
  }
});
