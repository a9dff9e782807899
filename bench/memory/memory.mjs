#!/usr/bin/env node
// bench/memory: the server's resident memory (RSS) on each database, the way a Pi runs it
// (DESIGN §7: embedded < 250 MB idle and < 450 MB at the first start's peak; PostgreSQL < 120 MB
// idle).
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once
//   node bench/memory/memory.mjs [--uploads 1000] [--in-flight 2] [--settle-ms 3000]
//     [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--no-pg] [--no-embedded]
//
// For each database the real server (apps/server/dist/launch.cjs) starts on a fresh data dir —
// embedded PGlite in a temp dir; PostgreSQL as a scratch database `iclood_bench_<random>`,
// dropped at the end — and the run prints, from /proc/<pid>/status:
//   first start peak   VmHWM once the server answers (the embedded database is created then)
//   idle after start   RSS after `--settle-ms` with nothing to do (median of 5 samples over 2 s)
//   after uploads      RSS once `--uploads` small real JPEGs (distinct bytes) have been sent
//                      through the upload API with a paired phone's device token
//   after thumbnails   RSS once the job queue has drained (every photo thumbnailed)
//   idle on restart    RSS after a restart on the same data (what a Pi runs most of the time)
// and, as baselines measured in the same run, a bare `node -e` process and the server's modules
// loaded without starting anything. Every figure is printed, none is judged: the run fails only
// when the server does not start or an upload is refused. Everything listens on 127.0.0.1;
// scratch files go to a temp dir that is removed at the end.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serverEnv } from '../shared/iclood-server.mjs';
import { createScratchDatabase } from '../shared/scratch-database.mjs';

const { values: args } = parseArgs({
  options: {
    uploads: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '2' },
    'settle-ms': { type: 'string', default: '3000' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'no-pg': { type: 'boolean', default: false },
    'no-embedded': { type: 'boolean', default: false },
    // Extra environment for the server, e.g. --env MALLOC_ARENA_MAX=4 (repeatable).
    env: { type: 'string', multiple: true, default: [] },
  },
});
const EXTRA_ENV = Object.fromEntries(
  args.env.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env takes KEY=VALUE, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const UPLOADS = Number(args.uploads);
const IN_FLIGHT = Number(args['in-flight']);
const SETTLE_MS = Number(args['settle-ms']);
const START_TIMEOUT_MS = 300_000;
const DRAIN_TIMEOUT_MS = 600_000;
const MB = 1024 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAUNCH = join(root, 'apps', 'server', 'dist', 'launch.cjs');
const APP = join(root, 'apps', 'server', 'dist', 'app.js');
if (!existsSync(LAUNCH)) {
  console.error('Build the server first: npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...');
  process.exit(2);
}
const sharp = createRequire(join(root, 'apps', 'server', 'package.json'))('sharp');

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Starts `argv` under node with `env`; resolves once `ready` matches its stdout. */
async function startProcess(argv, env, ready) {
  const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH, ...env } });
  let output = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after ${START_TIMEOUT_MS} ms: ${output}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before it was ready: ${output}`));
    });
  });
  return { child, match };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A bare Node process, and one that has loaded the server's modules and nothing more. */
async function baselines() {
  const bare = await startProcess(['-e', 'console.log("ready"); setInterval(() => {}, 1e6)'], {}, /ready/);
  const modules = await startProcess(
    [
      '-e',
      `import(${JSON.stringify(APP)}).then(() => { console.log("ready"); setInterval(() => {}, 1e6); })`,
    ],
    {},
    /ready/,
  );
  await sleep(SETTLE_MS);
  const result = { bare: memoryOf(bare.child.pid).rss, modules: memoryOf(modules.child.pid).rss };
  await Promise.all([stop(bare.child), stop(modules.child)]);
  return result;
}

// ---- the server ---------------------------------------------------------------------------------
async function startServer(dataDir, databaseUrl) {
  const { child, match } = await startProcess(
    [LAUNCH],
    { ...serverEnv({ dataDir, databaseUrl }), ...EXTRA_ENV },
    /running at http:\/\/127\.0\.0\.1:(\d+)/,
  );
  return { child, port: Number(match[1]) };
}

async function api(server, method, path, { token, json } = {}) {
  const response = await globalThis.fetch(`http://127.0.0.1:${server.port}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(json ? { 'content-type': 'application/json' } : {}),
    },
    body: json ? JSON.stringify(json) : undefined,
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body.data;
}

/** Signs in as the owner and pairs a phone; returns the phone's device token. */
async function pairPhone(server) {
  const { token: session } = await api(server, 'POST', '/api/v1/auth/login', {
    json: { username: 'bench', password: 'bench-password' },
  });
  const { code } = await api(server, 'POST', '/api/v1/pairing', { token: session });
  const registered = await api(server, 'POST', '/api/v1/auth/register', {
    json: { code, deviceName: 'Bench iPhone', platform: 'ios' },
  });
  return { session, device: registered.token };
}

function upload(server, token, filename, bytes) {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `/api/v1/media/upload?filename=${encodeURIComponent(filename)}`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
      },
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        response.statusCode === 201
          ? resolve()
          : reject(new Error(`upload ${filename}: ${response.statusCode} ${body}`)),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(bytes);
  });
}

// ---- the photos: one small real JPEG, made distinct by a comment segment ------------------------
const baseJpeg = await sharp({
  create: { width: 640, height: 480, channels: 3, background: { r: 40, g: 120, b: 200 } },
})
  .composite([
    { input: Buffer.from(randomBytes(64 * 48 * 3)), raw: { width: 64, height: 48, channels: 3 }, tile: true },
  ])
  .jpeg({ quality: 85 })
  .toBuffer();

function photo(index) {
  const text = Buffer.from(`iclood memory bench ${index} ${randomBytes(8).toString('hex')}`);
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([baseJpeg.subarray(0, 2), com, text, baseJpeg.subarray(2)]);
}

async function uploadAll(server, token) {
  let next = 0;
  const worker = async () => {
    while (next < UPLOADS) {
      const index = next++;
      await upload(server, token, `IMG_${String(index).padStart(4, '0')}.JPG`, photo(index));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function waitForJobs(server, session) {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const { jobs } = await api(server, 'GET', '/api/v1/system/status', { token: session });
    if (jobs.pending + jobs.running === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs still queued after ${DRAIN_TIMEOUT_MS} ms`);
    await sleep(250);
  }
}

/** RSS once the process has sat `--settle-ms` with nothing to do: the median of 5 samples over 2 s. */
async function idleRss(pid) {
  await sleep(SETTLE_MS);
  const samples = [];
  for (let index = 0; index < 5; index += 1) {
    if (index > 0) await sleep(500);
    samples.push(memoryOf(pid).rss);
  }
  return samples.sort((a, b) => a - b)[2];
}

async function measure(kind, dir) {
  const scratch = kind === 'postgres' ? await createScratchDatabase(args['pg-url']) : undefined;
  const dataDir = join(dir, `data-${kind}`);
  const figures = {};
  let server;
  try {
    const started = Date.now();
    server = await startServer(dataDir, scratch?.url);
    figures.startSeconds = (Date.now() - started) / 1000;
    figures.firstStartPeak = memoryOf(server.child.pid).hwm;
    figures.idle = await idleRss(server.child.pid);
    const { session, device } = await pairPhone(server);
    const uploading = Date.now();
    await uploadAll(server, device);
    figures.uploadSeconds = (Date.now() - uploading) / 1000;
    figures.afterUploads = memoryOf(server.child.pid).rss;
    await waitForJobs(server, session);
    figures.afterThumbnails = await idleRss(server.child.pid);
    figures.peak = memoryOf(server.child.pid).hwm;
    await stop(server.child);
    server = await startServer(dataDir, scratch?.url);
    figures.restartIdle = await idleRss(server.child.pid);
    return figures;
  } finally {
    if (server) await stop(server.child);
    await scratch?.drop();
  }
}

// ---- the run ------------------------------------------------------------------------------------
const mb = (bytes) => `${(bytes / MB).toFixed(0)} MB`.padStart(7);
const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-memory-'));
try {
  const base = await baselines();
  console.log(
    `iClood memory (RSS from /proc, MB = MiB), ${UPLOADS} uploads of ~${(baseJpeg.length / 1024).toFixed(0)} KB JPEGs, ${IN_FLIGHT} in flight`,
  );
  console.log(
    `  baselines: bare node ${mb(base.bare)}, server modules loaded, nothing started ${mb(base.modules)}`,
  );
  const kinds = [...(args['no-embedded'] ? [] : ['embedded']), ...(args['no-pg'] ? [] : ['postgres'])];
  for (const kind of kinds) {
    const f = await measure(kind, dir);
    console.log(`  ${kind}:`);
    console.log(`    first start peak ${mb(f.firstStartPeak)}   (ready in ${f.startSeconds.toFixed(1)} s)`);
    console.log(`    idle after start ${mb(f.idle)}`);
    console.log(
      `    after uploads    ${mb(f.afterUploads)}   (${(UPLOADS / f.uploadSeconds).toFixed(0)} uploads/s)`,
    );
    console.log(`    after thumbnails ${mb(f.afterThumbnails)}   (peak over the run ${mb(f.peak).trim()})`);
    console.log(`    idle on restart  ${mb(f.restartIdle)}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
