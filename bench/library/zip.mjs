#!/usr/bin/env node
// bench/library/zip: zip restore of ~1 GiB through the real HTTP route of the built server,
// against reading the very same files from disk, in one run on this machine (DESIGN §7: zip
// restore ≥ 0.8 × reading the files).
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once
//   node bench/library/zip.mjs [--files 300] [--mib 3.5] [--rounds 5] [--cache warm|cold|both]
//     [--pg-url postgres://postgres@127.0.0.1:5432/postgres]   # PostgreSQL instead of PGlite
//
// The library is seeded by uploading the files (JPEG header + random bytes, so nothing
// compresses) through `POST /media/upload`. Then, alternating, for each round:
//   disk: each original read start to end in the archive's order, 512 KiB reads (the zip
//         writer's chunk size) with a fresh buffer per read, as the writer does;
//   originals: each `GET /media/{id}/original` in turn on one keep-alive connection: the same
//         bytes through the same HTTP stack without the zip, to show what loopback HTTP costs;
//   zip:  `POST /media/batch/restore { from }` over loopback HTTP, the client reading and
//         discarding the archive as fast as it comes.
// Cache: `warm` reads everything once beforehand so both run from the page cache; `cold` drops
// each file from the page cache first (`dd iflag=nocache count=0`, posix_fadvise DONTNEED on
// that file only: other processes' caches are left alone). The server listens on 127.0.0.1 with
// ICLOOD_MDNS=false; scratch files, the server and any scratch database go at the end.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { listeningPort, logInToken, serverEnv, stopProcess } from '../shared/iclood-server.mjs';
import { rssOf, withPeakRss } from '../shared/process-stats.mjs';
import { createScratchDatabase, localPostgresUrl } from '../shared/scratch-database.mjs';

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '300' },
    mib: { type: 'string', default: '3.5' },
    rounds: { type: 'string', default: '5' },
    cache: { type: 'string', default: 'both' },
    'pg-url': { type: 'string' },
  },
});
const FILES = Number(args.files);
const MIB = 1024 * 1024;
const FILE_SIZE = Math.round(Number(args.mib) * MIB);
const ROUNDS = Number(args.rounds);
const CHUNK = 512 * 1024;
const CACHE_MODES = args.cache === 'both' ? ['warm', 'cold'] : [args.cache];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'apps', 'server', 'dist', 'launch.cjs');
if (!existsSync(MAIN)) {
  console.error('Build the server first: npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...');
  process.exit(2);
}
const run = promisify(execFile);

const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

// ---- the server ------------------------------------------------------------------------------
async function startIclood(dataDir, databaseUrl) {
  const child = spawn(process.execPath, [MAIN], { env: serverEnv({ dataDir, databaseUrl }) });
  cleanups.push(() => stopProcess(child));
  const port = await listeningPort(child, 'iClood');
  const token = await logInToken(`http://127.0.0.1:${port}`);
  return { child, port, headers: { authorization: `Bearer ${token}` } };
}

// ---- seeding ---------------------------------------------------------------------------------
const NOISE = randomBytes(4 * MIB);

/** A JPEG start (SOI + a comment holding a uuid, so every file differs) and random bytes after. */
function photoBytes(index) {
  const unique = Buffer.from(`${randomUUID()} ${index}`);
  const head = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0, unique.length + 2]), unique]);
  const body = Buffer.allocUnsafe(FILE_SIZE - head.length);
  for (let at = 0; at < body.length; at += NOISE.length)
    NOISE.copy(body, at, 0, Math.min(NOISE.length, body.length - at));
  body.writeUInt32BE(index, body.length - 8);
  return Buffer.concat([head, body]);
}

function upload(server, index) {
  const day = new Date(Date.UTC(2020, 0, 1) + index * 3_600_000).toISOString();
  const bytes = photoBytes(index);
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `/api/v1/media/upload?filename=IMG_${String(index).padStart(4, '0')}.JPG&createdAt=${day}`,
      headers: { ...server.headers, 'content-type': 'image/jpeg', 'content-length': bytes.length },
    });
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () =>
        response.statusCode === 201
          ? resolve(JSON.parse(text).data.id)
          : reject(new Error(`upload: ${text}`)),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(bytes);
  });
}

async function getJson(server, path) {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: server.headers });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()).data;
}

// ---- the two measurements ----------------------------------------------------------------------
async function timed(work) {
  const start = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/** Reads each file start to end, 512 KiB at a time into a fresh buffer (as the zip writer reads). */
async function readAll(paths) {
  let bytes = 0;
  for (const path of paths) {
    const handle = await open(path, 'r');
    try {
      for (;;) {
        const buffer = Buffer.allocUnsafeSlow(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        bytes += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
  return bytes;
}

/** The restore archive over HTTP, read and dropped; resolves with its length. */
function downloadZip(server) {
  const body = JSON.stringify({ from: '2000-01-01T00:00:00Z' });
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/api/v1/media/batch/restore',
      headers: {
        ...server.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    outgoing.on('response', (response) => {
      if (response.statusCode !== 200) return reject(new Error(`restore answered ${response.statusCode}`));
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Each original downloaded in turn over one keep-alive connection: the same bytes and HTTP stack, no zip. */
async function downloadOriginals(server, ids) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let bytes = 0;
  try {
    for (const id of ids) {
      bytes += await new Promise((resolve, reject) => {
        request(
          {
            host: '127.0.0.1',
            port: server.port,
            agent,
            path: `/api/v1/media/${id}/original`,
            headers: server.headers,
          },
          (response) => {
            if (response.statusCode !== 200)
              return reject(new Error(`original answered ${response.statusCode}`));
            let length = 0;
            response.on('data', (chunk) => (length += chunk.length));
            response.on('end', () => resolve(length));
            response.on('error', reject);
          },
        )
          .on('error', reject)
          .end();
      });
    }
  } finally {
    agent.destroy();
  }
  return bytes;
}

async function dropFromCache(paths) {
  for (const path of paths) await run('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => (bytes / MIB).toFixed(1);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-zip-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  let databaseUrl;
  let databaseLabel = 'embedded PGlite';
  if (args['pg-url']) {
    // A scratch database on that server, dropped at the end.
    const scratch = await createScratchDatabase(localPostgresUrl(args['pg-url']));
    cleanups.push(scratch.drop);
    databaseUrl = scratch.url;
    databaseLabel = 'PostgreSQL';
  }

  const server = await startIclood(join(dir, 'data'), databaseUrl);
  const seeded = await timed(async () => {
    const ids = [];
    for (let index = 0; index < FILES; index++) ids.push(await upload(server, index));
    return ids;
  });
  // The archive's order: oldest taken first, which is upload order here.
  const details = [];
  for (const id of seeded.result) details.push(await getJson(server, `/api/v1/media/${id}`));
  const libraryDir = join(dir, 'data', 'library');
  const paths = details.map((detail) => join(libraryDir, detail.relPath));
  const total = details.reduce((sum, detail) => sum + detail.size, 0);
  process.stderr.write(
    `seeded ${FILES} files, ${mib(total)} MiB, in ${seeded.seconds.toFixed(1)} s (${databaseLabel})\n`,
  );
  // Uploads queue thumbnail jobs (these files are noise, so they fail fast): let the runner go quiet.
  let jobs = { pending: 0, running: 0, failed: 0 };
  for (let waited = 0; waited < 120; waited++) {
    jobs = (await getJson(server, '/api/v1/system/status')).jobs ?? jobs;
    if (jobs.running === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  process.stderr.write(`job queue before measuring: ${JSON.stringify(jobs)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleRss = rssOf(server.child.pid);
  // Memory first, before anything else has run in the server: one restore, peak RSS over idle.
  const firstRestore = await withPeakRss(server.child.pid, () => downloadZip(server));
  const firstPeakRss = firstRestore.peak;
  let peakRss = firstPeakRss;

  const results = {};
  for (const cache of CACHE_MODES) {
    const disk = [];
    const zip = [];
    const originals = [];
    if (cache === 'warm') await readAll(paths);
    for (let round = 0; round < ROUNDS; round++) {
      for (const what of round % 2 === 0 ? ['disk', 'originals', 'zip'] : ['zip', 'originals', 'disk']) {
        if (cache === 'cold') await dropFromCache(paths);
        if (what === 'disk') {
          const { seconds, result } = await timed(() => readAll(paths));
          if (result !== total) throw new Error(`read ${result} bytes, expected ${total}`);
          disk.push(seconds);
        } else if (what === 'originals') {
          const { seconds, result } = await timed(() => downloadOriginals(server, seeded.result));
          if (result !== total) throw new Error(`downloaded ${result} bytes, expected ${total}`);
          originals.push(seconds);
        } else {
          const { result, peak } = await withPeakRss(server.child.pid, () =>
            timed(() => downloadZip(server)),
          );
          if (result.result < total)
            throw new Error(`the archive has ${result.result} bytes, less than the files`);
          zip.push(result.seconds);
          peakRss = Math.max(peakRss, peak);
        }
      }
      process.stderr.write(`${cache}: round ${round + 1}/${ROUNDS} done\n`);
    }
    results[cache] = {
      disk: total / MIB / median(disk),
      originals: total / MIB / median(originals),
      zip: total / MIB / median(zip),
    };
  }

  console.log(
    `\niClood zip restore benchmark: ${FILES} files × ${mib(FILE_SIZE)} MiB = ${mib(total)} MiB, ` +
      `median of ${ROUNDS} alternating rounds, loopback HTTP, ${databaseLabel}, ${tmpdir()}`,
  );
  for (const [cache, figures] of Object.entries(results)) {
    console.log(
      `  ${cache} cache: read from disk ${figures.disk.toFixed(0)} MiB/s, zip restore ${figures.zip.toFixed(0)} MiB/s ` +
        `→ ratio ${(figures.zip / figures.disk).toFixed(2)} (target ≥ 0.80); ` +
        `the originals one by one over HTTP ${figures.originals.toFixed(0)} MiB/s (zip / that ${(figures.zip / figures.originals).toFixed(2)})`,
    );
  }
  console.log(
    `  server RSS: idle ${mib(idleRss)} MB; peak during the first restore ${mib(firstPeakRss)} MB ` +
      `(+${mib(firstPeakRss - idleRss)} MB); peak during all restores ${mib(peakRss)} MB ` +
      `(the originals downloads run in between and leave garbage of their own)`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
