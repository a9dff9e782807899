// Throughput of receiveToTemp against plain fs write streams, for one large upload from a fast
// in-memory source (no network), so what is measured is hashing + writing. Not a test.
// Usage: pnpm run build && node bench/receive-throughput.mjs [GiB=1] [dir=os.tmpdir()] [runs=5]
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execSync } from 'node:child_process';
import { receiveToTemp } from '../dist/index.js';

const totalBytes = Math.round(Number(process.argv[2] ?? 1) * 1024 ** 3);
const dir = await mkdtemp(join(process.argv[3] ?? tmpdir(), 'iclood-bench-'));
const CHUNK = 64 * 1024; // what a socket read typically delivers
const pool = randomBytes(16 * 1024 * 1024);

function source() {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      while (sent < totalBytes) {
        const offset = sent % pool.length;
        const chunk = pool.subarray(
          offset,
          Math.min(offset + CHUNK, pool.length, offset + totalBytes - sent),
        );
        sent += chunk.length;
        if (!this.push(chunk)) return;
      }
      this.push(null);
    },
  });
}

function hashing() {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      hash.digest('hex');
      callback();
    },
  });
}

async function fsyncFile(path) {
  const handle = await open(path, 'r');
  await handle.sync();
  await handle.close();
}

const variants = {
  'sha256 only (no write)': () =>
    pipeline(source(), hashing(), new Writable({ write: (_c, _e, cb) => cb() })),
  'createWriteStream (default 16 KiB hwm)': (path) => pipeline(source(), createWriteStream(path)),
  'createWriteStream (1 MiB hwm)': (path) =>
    pipeline(source(), createWriteStream(path, { highWaterMark: 1 << 20 })),
  'hash Transform + createWriteStream (1 MiB hwm)': (path) =>
    pipeline(source(), hashing(), createWriteStream(path, { highWaterMark: 1 << 20 })),
  'receiveToTemp (hash inline, default)': () => receiveToTemp(source(), { tmpDir: dir }),
  'receiveToTemp (hashOnWorker)': () => receiveToTemp(source(), { tmpDir: dir, hashOnWorker: true }),
  'createWriteStream (1 MiB hwm) + fsync': async (path) => {
    await pipeline(source(), createWriteStream(path, { highWaterMark: 1 << 20 }));
    await fsyncFile(path);
  },
  'receiveToTemp (hash inline) + fsync': async () =>
    fsyncFile((await receiveToTemp(source(), { tmpDir: dir })).tempPath),
};

const runs = Number(process.argv[4] ?? 5);
console.log(
  `${(totalBytes / 1024 ** 3).toFixed(2)} GiB in ${CHUNK / 1024} KiB chunks to ${dir}; median of ${runs} interleaved runs`,
);
const rates = new Map(Object.keys(variants).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, run] of Object.entries(variants)) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    execSync('sync');
    const started = process.hrtime.bigint();
    await run(join(dir, 'plain.bin'));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.get(name).push(totalBytes / 1024 ** 2 / seconds);
  }
}
for (const [name, list] of rates) {
  list.sort((a, b) => a - b);
  const median = list[Math.floor(list.length / 2)];
  console.log(
    `${name.padEnd(48)} ${median.toFixed(0).padStart(6)} MiB/s  (runs: ${list.map((r) => r.toFixed(0)).join(', ')})`,
  );
}
await rm(dir, { recursive: true, force: true });
