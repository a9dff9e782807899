#!/usr/bin/env node
// bench/ingest: iClood's upload path against nginx WebDAV PUT of the same bytes, in one run on this
// machine (DESIGN §7). nginx writes without hashing or fsync; iClood hashes, fsyncs, commits a row.
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once
//   node bench/ingest/run.mjs [--rounds 3] [--photos 1000] [--big-mib 1024] [--rss-mib 4096]
//                             [--in-flight 4] [--cut 0.5]
//
// Resumable uploads (tus 1.0, `/api/v1/uploads`) against the raw upload, in the same run: the
// --big-mib file in one tus PATCH, and cut after --cut of it (the PATCH's socket destroyed), HEAD,
// the rest PATCHed from the offset; and RSS growth while a --rss-mib file is cut and resumed.
// Quick smoke run: --rounds 1 --photos 50 --big-mib 64 --rss-mib 256.
//
// Needs nginx with the dav module (Debian: apt-get install nginx-light). Everything listens on
// 127.0.0.1 and stops by itself; scratch files go to a temp dir that is removed at the end.
// Before every measured run the previous one's leftovers are settled (iClood's thumbnail jobs
// drained, dirty pages written back with sync), so no server is timed doing another's work.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listeningPort, logInToken, serverEnv } from '../shared/iclood-server.mjs';
import { rssOf, withPeakRss } from '../shared/process-stats.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    photos: { type: 'string', default: '1000' },
    'big-mib': { type: 'string', default: '1024' },
    'rss-mib': { type: 'string', default: '4096' },
    'in-flight': { type: 'string', default: '4' },
    cut: { type: 'string', default: '0.5' },
  },
});
const ROUNDS = Number(args.rounds);
const PHOTOS = Number(args.photos);
const BIG = Number(args['big-mib']) * 1024 * 1024;
const RSS_BIG = Number(args['rss-mib']) * 1024 * 1024;
const IN_FLIGHT = Number(args['in-flight']);
const CUT = Number(args.cut);
const PHOTO_SIZE = 3 * 1024 * 1024;
const MIB = 1024 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'apps', 'server', 'dist', 'launch.cjs');
if (!existsSync(MAIN)) {
  console.error('Build the server first: npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- bytes: generated on the fly (the same for both servers), never read from disk -----------
const NOISE = randomBytes(MIB);

/** A JPEG with an EXIF block (camera, date taken with offset) and `size` bytes in all. */
function photoBytes(index, size = PHOTO_SIZE) {
  const ascii = (text) => Buffer.from(`${text}\0`, 'latin1');
  const date = ascii(`2024:07:${String(1 + (index % 28)).padStart(2, '0')} 12:00:00`);
  const offset = ascii('+02:00');
  const make = ascii('Apple');
  const model = ascii('iPhone 15 Pro');
  // TIFF little-endian: IFD0 (Make, Model, ExifIFD pointer) → ExifIFD (DateTimeOriginal, OffsetTimeOriginal).
  const ifd0Entries = 3;
  const ifd0Size = 2 + ifd0Entries * 12 + 4;
  const exifEntries = 2;
  const exifSize = 2 + exifEntries * 12 + 4;
  let dataOffset = 8 + ifd0Size + exifSize;
  const tiff = Buffer.alloc(dataOffset + make.length + model.length + date.length + offset.length);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    tiff.writeUInt32LE(value, at + 8);
  };
  const put = (bytes) => {
    const at = dataOffset;
    bytes.copy(tiff, at);
    dataOffset += bytes.length;
    return at;
  };
  let at = 8;
  tiff.writeUInt16LE(ifd0Entries, at);
  at += 2;
  const exifIfd = 8 + ifd0Size;
  entry(at, 0x010f, 2, make.length, put(make));
  entry(at + 12, 0x0110, 2, model.length, put(model));
  entry(at + 24, 0x8769, 4, 1, exifIfd);
  tiff.writeUInt32LE(0, at + 36);
  at = exifIfd;
  tiff.writeUInt16LE(exifEntries, at);
  entry(at + 2, 0x9003, 2, date.length, put(date));
  entry(at + 14, 0x9011, 2, offset.length, put(offset));
  tiff.writeUInt32LE(0, at + 26);
  const app1Body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(app1Body.length + 2, 2);
  const unique = Buffer.from(randomUUID());
  const head = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app1,
    app1Body,
    Buffer.from([0xff, 0xfe, 0, unique.length + 2]),
    unique,
  ]);
  return { head, size };
}

/** A QuickTime movie header, then noise: big uploads are videos. */
function movieBytes(size) {
  const ftyp = Buffer.alloc(20);
  ftyp.writeUInt32BE(20, 0);
  ftyp.write('ftypqt  ', 4, 'latin1');
  ftyp.writeUInt32BE(0, 12);
  ftyp.write('qt  ', 16, 'latin1');
  const mdat = Buffer.alloc(16);
  mdat.writeUInt32BE(1, 0);
  mdat.write('mdat', 4, 'latin1');
  mdat.writeBigUInt64BE(BigInt(size - 20), 8);
  return { head: Buffer.concat([ftyp, mdat, Buffer.from(randomUUID())]), size };
}

/**
 * Writes bytes `from`…`size` of a generated file (head, then the same MiB of noise over and over:
 * any byte can be made again from its offset, so a resumed upload sends exactly what was cut off)
 * to `outgoing` and ends it; with `cutAt`, destroys the request's socket instead once the body has
 * reached that offset. Returns a function telling how many body bytes were written so far.
 */
function writeBody(outgoing, { head, size }, { from = 0, cutAt } = {}) {
  let at = from;
  const pump = () => {
    while (at < size) {
      if (cutAt !== undefined && at >= cutAt) return void outgoing.socket?.destroy();
      let chunk;
      if (at < head.length) chunk = head.subarray(at);
      else {
        const start = (at - head.length) % NOISE.length;
        chunk = NOISE.subarray(start, Math.min(NOISE.length, start + size - at));
      }
      if (cutAt !== undefined) chunk = chunk.subarray(0, cutAt - at);
      at += chunk.length;
      if (!outgoing.write(chunk)) return void outgoing.once('drain', pump);
    }
    outgoing.end();
  };
  if (outgoing.socket) pump();
  else outgoing.once('socket', pump);
  return () => at - from;
}

/**
 * One request over node:http; resolves once answered (the answer's body read and dropped) with
 * its status, headers and the body bytes written, whatever the status. `body`: what `writeBody`
 * sends (none if left out). An answer that comes before the body is all sent (a refusal) ends the
 * request there. Resolves with `status` 0 if the connection ends unanswered (as a cut one does).
 */
function call(port, method, path, headers, body) {
  return new Promise((resolve) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method, headers });
    let written = () => 0;
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () => {
        resolve({ status: response.statusCode, headers: response.headers, written: written() });
        if (!outgoing.writableFinished) outgoing.destroy();
      });
    });
    outgoing.on('error', () => resolve({ status: 0, headers: {}, written: written() }));
    outgoing.on('close', () => resolve({ status: 0, headers: {}, written: written() }));
    if (body) written = writeBody(outgoing, body.bytes, body.options);
    else outgoing.end();
  });
}

/** Sends head + noise up to `size` bytes as one request; resolves with the status. */
function send(target, path, bytes, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port: target.port,
      path,
      method: target.method,
      agent: target.agent,
      headers: { 'content-length': bytes.size, 'content-type': 'application/octet-stream', ...headers },
    });
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode < 300
          ? resolve(response.statusCode)
          : reject(new Error(`${target.name} answered ${response.statusCode}`)),
      );
    });
    outgoing.on('error', reject);
    writeBody(outgoing, bytes);
  });
}

// ---- servers --------------------------------------------------------------------------------
async function startNginx(dir) {
  const port = await freePort();
  const www = join(dir, 'www');
  await mkdir(join(dir, 'body'), { recursive: true });
  await mkdir(www, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `user root; worker_processes auto; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 256; }
http { access_log off; client_body_temp_path ${dir}/body; client_max_body_size 0; sendfile on;
  server { listen 127.0.0.1:${port}; root ${www};
    location / { dav_methods PUT; create_full_put_path on; dav_access user:rw; } } }\n`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { name: 'nginx', child, port, method: 'PUT', path: (name) => `/${name}`, headers: {} };
}

async function startIclood(dir) {
  const env = serverEnv({ dataDir: join(dir, 'data'), databaseUrl: process.env.BENCH_DATABASE_URL });
  const child = spawn(process.execPath, [MAIN], { env });
  const port = await listeningPort(child, 'iClood');
  const token = await logInToken(`http://127.0.0.1:${port}`);
  const jobs = async () => {
    const status = await fetch(`http://127.0.0.1:${port}/api/v1/system/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await status.json()).data.jobs;
  };
  return {
    jobs,
    name: 'iclood',
    child,
    port,
    method: 'POST',
    path: (name) => `/api/v1/media/upload?filename=${encodeURIComponent(name)}`,
    headers: { authorization: `Bearer ${token}` },
  };
}

/** A bare Node server that hashes and fdatasyncs: the floor any Node implementation starts from. */
async function startNodeReference(dir) {
  await mkdir(dir, { recursive: true });
  const child = spawn(process.execPath, [join(root, 'bench', 'ingest', 'node-reference.mjs'), dir]);
  const port = await listeningPort(child, 'node-reference');
  return { name: 'node-reference', child, port, method: 'POST', path: (name) => `/${name}`, headers: {} };
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** iClood's background jobs (thumbnails of the photos just sent), waited for between runs. */
let icloodJobs;

/**
 * Before each measured run, nobody may still be working for the previous one: iClood's thumbnail
 * jobs are waited for (they would take a core from whichever server runs next), and the page
 * cache is written back (nginx never fsyncs: without this, its 3 GB of dirty pages would reach
 * the disk during the next run, on that run's clock).
 */
async function settle() {
  if (icloodJobs) {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { pending, running } = await icloodJobs();
      if (pending + running === 0) break;
      if (Date.now() > deadline) {
        console.error(`  (iClood still has ${pending} jobs pending, ${running} running; measuring anyway)`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  spawnSync('sync', { stdio: 'ignore' });
  // And the clean pages go (root only; skipped otherwise), so no run pays for reclaiming the
  // previous runs' page cache: on this VM rounds slowed to a third once the cache had filled RAM.
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    droppedCaches = true;
  } catch {
    droppedCaches = false;
  }
}
let droppedCaches = false;

/** Seconds that `sync` takes to write back what the run just before it left dirty. */
function syncSeconds() {
  const start = process.hrtime.bigint();
  spawnSync('sync', { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timed(work) {
  await settle();
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function bigUpload(target, size, round) {
  return timed(() => send(target, target.path(`big-${round}-${size}.mov`), movieBytes(size), target.headers));
}

async function manyPhotos(target, round) {
  let next = 0;
  const worker = async () => {
    while (next < PHOTOS) {
      const index = next++;
      await send(target, target.path(`IMG_${round}_${index}.JPG`), photoBytes(index), target.headers);
    }
  };
  return timed(() => Promise.all(Array.from({ length: IN_FLIGHT }, worker)));
}

// ---- tus 1.0 (`/api/v1/uploads`), ending in the same ingest as the raw upload ----------------
const TUS = { 'tus-resumable': '1.0.0' };

/** Creates a tus upload of `size` bytes named `name` on iClood; resolves with its path. */
async function tusCreate(target, name, size) {
  const created = await call(target.port, 'POST', '/api/v1/uploads', {
    ...target.headers,
    ...TUS,
    'content-length': 0,
    'upload-length': size,
    'upload-metadata': `filename ${Buffer.from(name).toString('base64')}`,
  });
  if (created.status !== 201) throw new Error(`POST /api/v1/uploads answered ${created.status}`);
  return created.headers.location;
}

/** A PATCH of the file from `from` to its end (or, with `cutAt`, cut there): `call`'s answer. */
function tusPatch(target, path, bytes, { from = 0, cutAt } = {}) {
  const headers = {
    ...target.headers,
    ...TUS,
    'content-type': 'application/offset+octet-stream',
    'content-length': bytes.size - from,
    'upload-offset': from,
  };
  return call(target.port, 'PATCH', path, headers, { bytes, options: { from, cutAt } });
}

/** Where a tus upload stands (HEAD): its `Upload-Offset`. */
async function tusOffset(target, path) {
  const head = await call(target.port, 'HEAD', path, { ...target.headers, ...TUS });
  if (head.status !== 200) throw new Error(`HEAD ${path} answered ${head.status}`);
  return Number(head.headers['upload-offset']);
}

/** A whole file in one tus PATCH (creation included): seconds. */
async function tusUpload(target, size, round) {
  return timed(async () => {
    const bytes = movieBytes(size);
    const path = await tusCreate(target, `tus-${round}-${size}.mov`, size);
    const done = await tusPatch(target, path, bytes);
    if (done.status !== 201) throw new Error(`the last PATCH answered ${done.status}`);
  });
}

/**
 * A tus upload whose PATCH has its socket destroyed once CUT of the file is written, then HEAD for
 * the offset and a PATCH of the rest from there, as a phone does after losing the network:
 * seconds (all of it), body bytes the client wrote in all, and the offset the server had kept.
 */
async function tusResumed(target, size, round) {
  const bytes = movieBytes(size);
  let sent = 0;
  let kept = 0;
  const seconds = await timed(async () => {
    const path = await tusCreate(target, `resumed-${round}-${size}.mov`, size);
    const cut = await tusPatch(target, path, bytes, { cutAt: Math.round(size * CUT) });
    if (cut.status !== 0) throw new Error(`the PATCH to be cut was answered ${cut.status} first`);
    sent += cut.written;
    // The server winds the cut request up (what arrived fsynced, then recorded) a moment after the
    // socket closed: until then HEAD says 0 and a PATCH is refused 409 (it is still being written).
    const deadline = Date.now() + 60_000;
    for (;;) {
      kept = await tusOffset(target, path);
      if (kept > 0) {
        const rest = await tusPatch(target, path, bytes, { from: kept });
        sent += rest.written;
        if (rest.status === 201) break;
        // 409: the cut request not wound up yet; 0: the refusal closed the connection unread.
        if (rest.status !== 409 && rest.status !== 0) {
          throw new Error(`the resuming PATCH answered ${rest.status}`);
        }
      }
      if (Date.now() > deadline) throw new Error(`the cut upload still stands at ${kept} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  return { seconds, sent, kept };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mb = (bytes) => (bytes / MIB).toFixed(1);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-ingest-'));
  const nginx = await startNginx(join(dir, 'nginx'));
  const iclood = await startIclood(join(dir, 'iclood'));
  icloodJobs = iclood.jobs;
  const reference = await startNodeReference(join(dir, 'node-reference'));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = rssOf(iclood.child.pid);
    const big = { nginx: [], iclood: [], tus: [] };
    const resumed = [];
    const photos = { nginx: [], nginxDurable: [], iclood: [], reference: [] };
    const cpu = { iclood: 0, reference: 0 };
    let peakRss = idleRss;
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of round % 2 === 0 ? [nginx, iclood] : [iclood, nginx]) {
        if (target === iclood) {
          const { result, peak } = await withPeakRss(iclood.child.pid, () => bigUpload(target, BIG, round));
          big.iclood.push(result);
          peakRss = Math.max(peakRss, peak);
          big.tus.push(await tusUpload(target, BIG, round));
          resumed.push(await tusResumed(target, BIG, round));
          const cpuBefore = cpuMsOf(iclood.child.pid);
          const many = await withPeakRss(iclood.child.pid, () => manyPhotos(target, round));
          cpu.iclood += cpuMsOf(iclood.child.pid) - cpuBefore;
          photos.iclood.push(many.result);
          peakRss = Math.max(peakRss, many.peak);
        } else {
          big.nginx.push(await bigUpload(target, BIG, round));
          const seconds = await manyPhotos(target, round);
          photos.nginx.push(seconds);
          // What nginx leaves for later: its bytes reach the disk only when the kernel (or this
          // sync) writes them back. Shown beside the target ratio, not instead of it.
          photos.nginxDurable.push(seconds + syncSeconds());
        }
      }
      const cpuBefore = cpuMsOf(reference.child.pid);
      photos.reference.push(await manyPhotos(reference, round));
      cpu.reference += cpuMsOf(reference.child.pid) - cpuBefore;
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
    // Memory against file size: each size on a freshly started server (idle after a second), so
    // the growth is that upload's, first-request warm-up included, and not what the photo rounds
    // and their thumbnail jobs left behind.
    const growthOnFreshServer = async (size, label, upload = bigUpload) => {
      const fresh = await startIclood(join(dir, `iclood-${label}`));
      try {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const idle = rssOf(fresh.child.pid);
        const { peak } = await withPeakRss(fresh.child.pid, () => upload(fresh, size, label));
        return { idle, growth: peak - idle };
      } finally {
        fresh.child.kill('SIGTERM');
        await new Promise((resolve) => fresh.child.once('exit', resolve));
      }
    };
    icloodJobs = undefined;
    iclood.child.kill('SIGTERM');
    await new Promise((resolve) => iclood.child.once('exit', resolve));
    const small = await growthOnFreshServer(256 * MIB, 'rss-small');
    const large = await growthOnFreshServer(RSS_BIG, 'rss-large');
    const largeResumed = await growthOnFreshServer(RSS_BIG, 'rss-resumed', tusResumed);

    const bigMbS = (seconds) => BIG / MIB / seconds;
    const nginxBig = bigMbS(median(big.nginx));
    const icloodBig = bigMbS(median(big.iclood));
    const nginxPhotos = PHOTOS / median(photos.nginx);
    const icloodPhotos = PHOTOS / median(photos.iclood);
    console.log(
      `\niClood ingest benchmark (median of ${ROUNDS} alternating rounds, loopback HTTP, ${tmpdir()})`,
    );
    console.log(
      `  1 × ${mb(BIG)} MiB upload:  nginx PUT ${nginxBig.toFixed(0)} MiB/s, iClood ${icloodBig.toFixed(0)} MiB/s  → ratio ${(icloodBig / nginxBig).toFixed(2)} (target ≥ 0.80)`,
    );
    console.log(
      `  ${PHOTOS} × 3 MiB photos, ${IN_FLIGHT} in flight: nginx ${nginxPhotos.toFixed(0)} files/s, iClood ${icloodPhotos.toFixed(0)} files/s → ratio ${(icloodPhotos / nginxPhotos).toFixed(2)} (target ≥ 0.50)`,
    );
    const each = (seconds, per) => seconds.map((value) => (per / value).toFixed(0)).join(', ');
    console.log(
      `  each round: 1 GiB nginx ${each(big.nginx, BIG / MIB)} MiB/s, iClood ${each(big.iclood, BIG / MIB)} MiB/s; photos nginx ${each(photos.nginx, PHOTOS)}, iClood ${each(photos.iclood, PHOTOS)}, reference ${each(photos.reference, PHOTOS)} files/s`,
    );
    const tusBig = bigMbS(median(big.tus));
    console.log(
      `  1 × ${mb(BIG)} MiB in one tus PATCH: ${tusBig.toFixed(0)} MiB/s, raw upload ${icloodBig.toFixed(0)} MiB/s → ratio ${(tusBig / icloodBig).toFixed(2)} (target ≥ 0.90); each round ${each(big.tus, BIG / MIB)} MiB/s`,
    );
    const resumedSeconds = median(resumed.map((run) => run.seconds));
    const sentRatio = median(resumed.map((run) => run.sent / BIG));
    console.log(
      `  1 × ${mb(BIG)} MiB tus, cut at ${(CUT * 100).toFixed(0)} % and resumed: ${resumedSeconds.toFixed(2)} s, two raw uploads ${(2 * median(big.iclood)).toFixed(2)} s → ratio ${(resumedSeconds / (2 * median(big.iclood))).toFixed(2)} (target ≤ 0.60); client sent ${sentRatio.toFixed(3)} × the file (target ≈ 1.0 + the part in flight at the cut; kept at the cut: ${resumed.map((run) => `${mb(run.kept)} MiB`).join(', ')})`,
    );
    const durableNginx = PHOTOS / median(photos.nginxDurable);
    console.log(
      `  nginx counting the sync that puts its photos on disk: ${durableNginx.toFixed(0)} files/s → iClood (fsynced before each answer) reaches ${(icloodPhotos / durableNginx).toFixed(2)} of it`,
    );
    const referencePhotos = PHOTOS / median(photos.reference);
    const perPhoto = (ms) => (ms / (PHOTOS * ROUNDS)).toFixed(1);
    console.log(
      `  reference: a bare Node server that only hashes and fdatasyncs the same photos: ${referencePhotos.toFixed(0)} files/s → ratio to nginx ${(referencePhotos / nginxPhotos).toFixed(2)}; iClood reaches ${(icloodPhotos / referencePhotos).toFixed(2)} of it`,
    );
    console.log(
      `  server CPU per photo: iClood ${perPhoto(cpu.iclood)} ms, bare Node reference ${perPhoto(cpu.reference)} ms`,
    );
    console.log(
      `  iClood RSS: idle ${mb(idleRss)} MB, peak during the runs ${mb(peakRss)} MB (+${mb(peakRss - idleRss)} MB, photo rounds and thumbnail jobs included)`,
    );
    console.log(
      `  RSS growth over idle, one upload on a fresh server: 256 MiB +${mb(small.growth)} MB (idle ${mb(small.idle)}), ${mb(RSS_BIG)} MiB +${mb(large.growth)} MB (idle ${mb(large.idle)}) (target < 64 MB, independent of size)`,
    );
    console.log(
      `  RSS growth over idle, ${mb(RSS_BIG)} MiB tus upload cut at ${(CUT * 100).toFixed(0)} % and resumed on a fresh server: +${mb(largeResumed.growth)} MB (idle ${mb(largeResumed.idle)}) (target < 64 MB)`,
    );
    console.log(
      `  (before every measured run: iClood's thumbnail jobs drained, page cache written back with sync${droppedCaches ? ', clean pages dropped' : ''})`,
    );
  } finally {
    iclood.child.kill('SIGTERM');
    reference.child.kill('SIGTERM');
    nginx.child.kill('SIGQUIT');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
