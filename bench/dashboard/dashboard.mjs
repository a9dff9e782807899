#!/usr/bin/env node
// bench/dashboard: the dashboard in Chromium on a 20,000-item library (DESIGN §7: first view JS+CSS
// ≤ 100 KB gzip; first thumbnails painted ≤ 1.0 s; scrubber jump five years back ≤ 0.5 s;
// ≤ 3,000 DOM elements at any scroll position; no long task > 200 ms while scrolling the whole
// timeline top to bottom). A benchmark, not a test: it prints each figure with its target and
// its ratio to a baseline measured in the same run, and fails on nothing but broken set-up.
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once (server + dashboard)
//   node bench/dashboard/dashboard.mjs [--items 20000] [--small-items 2000] [--runs 5]
//     [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--cpu-slowdown 1]
//     [--frames-per-step 2] [--settle-cap-ms 2000] [--scroll-max-s 240] [--max-minutes 12]
//     [--waterfall] [--profile /tmp/dashboard-scroll.cpuprofile]
//
// About 4–5 minutes with the defaults on an idle 2-CPU machine, most of it the scroll through
// 20,000 items. --waterfall prints the first cold view's requests in time order; --profile takes a
// CPU profile of the dashboard while it scrolls (open it in DevTools' Performance panel) and prints
// the functions with the most self time.
//
// Set-up: a scratch database `iclood_bench_<random>` on the PostgreSQL of --pg-url (default
// $BENCH_DATABASE_URL, else the local one; 127.0.0.1 only, dropped at the end); the built server
// (apps/server/dist/launch.cjs) on a free port of 127.0.0.1 with ICLOOD_MDNS=false and a temp data
// dir, which migrates the database and creates the owner; a second household member added through
// the API; media rows seeded with bench/library/seed-library.mjs (ten years of a household's photos,
// ~12 % videos) — --items for the owner, --small-items for the member; and one real 342×256 WebP
// hard-linked where the server looks for every item's small thumbnail, so the thumbnail route does
// its real work (a database lookup, a file opened and streamed) for each. Chromium is Debian's
// (/usr/bin/chromium, or $ICLOOD_CHROMIUM) through playwright-core, headless, 1280×800, signed in
// with the session cookie; it can resolve no host but 127.0.0.1. --cpu-slowdown N throttles the
// page's CPU N× (CDP), for a feel of a slow laptop; the server is not slowed.
//
// Measured (medians of --runs; each run a fresh browser context, so a cold cache):
//   - first view: JS + CSS transferred (CDP encodedDataLength, headers included) by a browser that
//     accepts only gzip, and as Chromium asks by default (brotli); all bytes of the first view;
//   - first thumbnails painted: navigation start → the first screen's thumbnails painted (see
//     page-probe.mjs for the exact condition), cold, then warm (a reload in the same context);
//   - scrubber jump: once the first view has settled (no request for 500 ms), a click on the year
//     five years before the newest in the year rail → a month of that year on screen with its
//     thumbnails painted;
//   - scrolling: one pass over the whole timeline, a viewport per step every --frames-per-step
//     frames, waiting (up to --settle-cap-ms) only for months whose items are still on their way,
//     not for thumbnails — a quick scroll, the hard case for long tasks: the most DOM elements in
//     any frame, and long tasks (> 50 ms, > 200 ms, the longest, by quarter of the pass) from the
//     Long Tasks API. Long tasks are wall time: on a busy machine they include time the main
//     thread waited for a CPU.
//
// Baselines, measured in the same run:
//   - first view and jump: a static page with exactly the tiles the dashboard painted (count and
//     places, the same WebP bytes at distinct URLs, the same img attributes) on a bare node:http
//     server (static-baseline.mjs) — what showing those thumbnails costs the browser at all, so the
//     ratio is the dashboard's overhead (its JS, its API round trips) over that floor. Dashboard and
//     baseline runs alternate, so a busy machine weighs on both alike.
//   - scrolling: the same dashboard on a library a tenth the size (the member's), scrolled the
//     same way — a windowed grid should cost the same per screen whatever the library's size, so
//     a ratio above 1 is work that grows with the library.
//
// The machine's load average is printed: on a shared machine (a CI run alongside) times are noisy;
// compare ratios, and rerun. Every phase is capped; the run gives up after --max-minutes, and
// whatever happens the server (the one process it started), the scratch database and the temp
// dirs are removed.
/* global window, document -- window and document in functions run in the page */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { seedLibrary } from '../library/seed-library.mjs';
import { installProbe, waterfall } from './page-probe.mjs';
import { startBaselineServer } from './static-baseline.mjs';
import { serverEnv, listeningPort, stopProcess } from '../shared/iclood-server.mjs';
import { guardRun } from '../shared/run-guard.mjs';
import { createScratchDatabase, localPostgresUrl } from '../shared/scratch-database.mjs';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    // The library the scrolling figures are compared with (default a tenth of --items).
    'small-items': { type: 'string' },
    runs: { type: 'string', default: '5' },
    'cpu-slowdown': { type: 'string', default: '1' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    'frames-per-step': { type: 'string', default: '2' },
    'settle-cap-ms': { type: 'string', default: '2000' },
    'scroll-max-s': { type: 'string', default: '240' },
    'max-minutes': { type: 'string', default: '12' },
    // Also print the first cold run's requests in time order (where the first view's time goes).
    waterfall: { type: 'boolean', default: false },
    // Also take a CPU profile of the dashboard while it scrolls: written to this path (open it in
    // Chromium's DevTools, Performance panel) and its top functions by self time printed.
    profile: { type: 'string' },
  },
});
const SEC = 1000;
const MIN = 60 * SEC;
const ITEMS = Number(args.items);
const SMALL_ITEMS = Number(args['small-items'] ?? Math.max(200, Math.round(ITEMS / 10)));
const RUNS = Number(args.runs);
const CPU_SLOWDOWN = Number(args['cpu-slowdown']);
const FRAMES_PER_STEP = Number(args['frames-per-step']);
const SETTLE_CAP_MS = Number(args['settle-cap-ms']);
const SCROLL_MAX_MS = Number(args['scroll-max-s']) * SEC;
const YEARS_BACK = 5;
const VIEWPORT = { width: 1280, height: 800 };
const USERNAME = 'bench';
const PASSWORD = 'bench-password';
const SMALL_USERNAME = 'bench-small';
const TARGETS = { gzipBytes: 100_000, firstViewMs: 1000, jumpMs: 500, dom: 3000, longTaskMs: 200 };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = join(root, 'apps', 'server', 'dist', 'launch.cjs');
const DASHBOARD_INDEX = join(root, 'apps', 'dashboard', 'dist', 'index.html');
if (!existsSync(SERVER) || !existsSync(DASHBOARD_INDEX)) {
  console.error('Build first: npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...');
  process.exit(2);
}
const pgUrl = localPostgresUrl(args['pg-url']);
const fromDashboard = createRequire(join(root, 'apps', 'dashboard', 'package.json'));
const { chromium } = fromDashboard('playwright-core');
const sharp = fromDashboard('sharp');
const pg = createRequire(join(root, 'packages', 'db', 'package.json'))('pg');

const log = (line) => process.stderr.write(`${line}\n`);

// ---- cleanup, time caps (bench/lib/run-guard.mjs) --------------------------------------------
const { cleanups, cleanUp, phase } = guardRun({ maxMinutes: Number(args['max-minutes']), log });

// ---- the database, the server, the library ----------------------------------------------------
async function connect(url) {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

async function createScratch() {
  const scratch = await createScratchDatabase(pgUrl);
  cleanups.push(scratch.drop);
  return new URL(scratch.url);
}

async function startServer(dir, databaseUrl) {
  const env = serverEnv({
    dataDir: join(dir, 'data'),
    libraryDir: join(dir, 'library'),
    databaseUrl,
    username: USERNAME,
    password: PASSWORD,
  });
  // The temp dir as working directory so no stray .env is read.
  const child = spawn(process.execPath, [SERVER], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => stopProcess(child, 20 * SEC));
  const port = await listeningPort(child);
  return { origin: `http://127.0.0.1:${port}`, dataDir: join(dir, 'data'), pid: child.pid };
}

async function logIn(origin, username) {
  const response = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  return (await response.json()).data.token;
}

/** A 342×256 WebP (a small thumbnail's shape and size): gradients and grain, ~10-20 KB. */
async function makeThumbnail() {
  const width = 342;
  const height = 256;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 2024;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const grain = (seed >>> 24) % 40;
      const i = (y * width + x) * 3;
      pixels[i] = Math.min(255, ((x * 200) / width + grain) | 0);
      pixels[i + 1] = Math.min(255, ((y * 180) / height + 40 + grain) | 0);
      pixels[i + 2] = Math.min(255, (((x + y) * 120) / (width + height) + 90 + grain) | 0);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .webp({ quality: 75 })
    .toBuffer();
}

/** A household member with a library of their own, added by the owner through the API. */
async function createMember(origin, ownerToken, username) {
  const response = await fetch(`${origin}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`);
  return (await response.json()).data.user.id;
}

/** Hard-links `source` at every item's small-thumbnail path (thumbnailPath of @iclood/storage). */
async function linkThumbnails(db, thumbsDir, source) {
  const { rows } = await db.query('select id from media');
  const prefixes = new Set(rows.map(({ id }) => id.slice(0, 2)));
  for (const prefix of prefixes) await mkdir(join(thumbsDir, prefix), { recursive: true });
  for (let start = 0; start < rows.length; start += 256) {
    await Promise.all(
      rows
        .slice(start, start + 256)
        .map(({ id }) => link(source, join(thumbsDir, id.slice(0, 2), `${id}-small.webp`))),
    );
  }
  return rows.length;
}

/**
 * The calls the dashboard's first view makes one after another, each timed alone (median of 20,
 * sequential, after 5 warm-up calls): how much of the first view is the server's.
 */
async function timeApi(origin, token, mediaId) {
  const get = async (path) => {
    const started = performance.now();
    const response = await fetch(`${origin}${path}`, { headers: { cookie: `iclood_session=${token}` } });
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return { ms: performance.now() - started, body };
  };
  const timeline = JSON.parse(Buffer.from((await get('/api/v1/media/timeline')).body).toString('utf8'));
  const { year, month } = timeline.data.months[0];
  const prefix = `${year}-${String(month).padStart(2, '0')}`;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const calls = [
    ['setup status', '/api/v1/setup'],
    ['auth/me', '/api/v1/auth/me'],
    ['media/timeline', '/api/v1/media/timeline'],
    ['media/list (newest month)', `/api/v1/media/list?from=${prefix}-01&to=${prefix}-${lastDay}&limit=500`],
    ['thumbnail', `/api/v1/media/${mediaId}/thumbnail?size=small`],
  ];
  const results = [];
  for (const [name, path] of calls) {
    for (let i = 0; i < 5; i++) await get(path);
    const samples = [];
    let bytes = 0;
    for (let i = 0; i < 20; i++) {
      const { ms, body } = await get(path);
      samples.push(ms);
      bytes = body.byteLength;
    }
    results.push({ name, ms: median(samples), bytes });
  }
  return results;
}

// ---- the browser ---------------------------------------------------------------------------------
async function launchBrowser() {
  const executablePath = process.env.ICLOOD_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}`);
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
  cleanups.push(() => browser.close());
  return browser;
}

/**
 * A fresh context (empty cache) at 1280×800 with the probe installed, signed in when `cookie` is
 * given; its page records every response's transfer size through CDP.
 */
async function openPage(browser, origin, { cookie, gzipOnly = false } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', baseURL: origin });
  if (cookie) {
    await context.addCookies([
      { name: 'iclood_session', value: cookie, url: origin, httpOnly: true, sameSite: 'Strict' },
    ]);
  }
  await context.addInitScript(installProbe);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // (Network.setAcceptedEncodings is not in this Chromium; an explicit header is sent as given.)
  if (gzipOnly) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'gzip' } });
  if (CPU_SLOWDOWN > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const responses = new Map();
  cdp.on('Network.responseReceived', ({ requestId, type, response }) => {
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    responses.set(requestId, {
      url: response.url,
      type,
      encoding: headers['content-encoding'] ?? 'identity',
      fromCache: response.fromDiskCache || response.fromPrefetchCache || response.status === 304,
      bytes: 0,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const response = responses.get(requestId);
    if (response) response.bytes = encodedDataLength;
  });
  return { context, page, cdp, responses, errors };
}

/** Self time per function of a CDP CPU profile, the top `limit`. */
function topFunctions(profile, limit = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, index) => {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
    const file = url ? url.split('/').at(-1) : '';
    const key = `${functionName || '(anonymous)'} ${file}${file ? `:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((sum, ms) => sum + ms, 0);
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(
      ([name, ms]) =>
        `${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}`,
    );
}

/** Transfer sizes of the responses so far, by kind. */
function transferred(responses) {
  const sum = (list) => list.reduce((total, response) => total + response.bytes, 0);
  const all = [...responses.values()];
  const code = all.filter((response) => response.type === 'Script' || response.type === 'Stylesheet');
  return {
    code: sum(code),
    codeEncodings: [...new Set(code.map((response) => response.encoding))].join(', '),
    codeFiles: code.map(
      (response) => `${new URL(response.url).pathname} ${response.bytes} B ${response.encoding}`,
    ),
    all: sum(all),
    requests: all.length,
    images: all.filter((response) => response.type === 'Image').length,
  };
}

/** Prints [what, start, end] entries with times from `origin` (ms on the page's clock). */
function printWaterfall(title, entries, origin, paintedAt) {
  const at = (time) => String(Math.round(time - origin)).padStart(5);
  log(`    ${title}, ms from its start (thumbnails painted at ${at(paintedAt).trim()} ms):`);
  // Thumbnails are many and alike: the first and last few.
  const thumbnails = entries.filter(([what]) => what.includes('/thumbnail'));
  const shown = new Set([...thumbnails.slice(0, 3), ...thumbnails.slice(-3)]);
  for (const entry of entries) {
    const [what, start, end] = entry;
    if (what.includes('/thumbnail') && !shown.has(entry)) continue;
    log(`      ${at(start)} → ${at(end)}  ${what.slice(0, 90)}`);
    if (entry === thumbnails[2] && thumbnails.length > 6)
      log(`      … ${thumbnails.length - 6} more thumbnails`);
  }
}

const firstView = (page) => page.evaluate(() => window.__bench.firstView);

/** Waits (bounded) until the page has had no request in flight for 500 ms. */
const settle = (page) => page.waitForLoadState('networkidle', { timeout: 10 * SEC }).catch(() => undefined);

// ---- numbers -------------------------------------------------------------------------------------
const median = (values) => {
  const sorted = values.filter((value) => value !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const range = (values) => {
  const defined = values.filter((value) => value !== undefined);
  return defined.length === 0
    ? ''
    : `${Math.round(Math.min(...defined))}–${Math.round(Math.max(...defined))}`;
};
const perHundred = (value, steps) => (value === undefined ? '—' : ((value / steps) * 100).toFixed(1));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const count = (value) => (value === undefined ? '—' : value.toLocaleString('en-US'));
const msText = (value) => (value === undefined || Number.isNaN(value) ? '—' : `${Math.round(value)} ms`);
const ratio = (value, baseline) =>
  value === undefined || baseline === undefined || baseline === 0
    ? '—'
    : `${(value / baseline).toFixed(2)} ×`;

// ---- the run -------------------------------------------------------------------------------------
async function main() {
  const started = performance.now();
  const loadBefore = loadavg();
  log(`bench/dashboard: ${count(ITEMS)} items, ${RUNS} runs, CPU slowdown ${CPU_SLOWDOWN}×`);
  const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-dashboard-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const databaseUrl = await phase('scratch database', MIN, createScratch);
  const server = await phase('start the server (migrations, owner)', 2 * MIN, () =>
    startServer(dir, databaseUrl),
  );
  const db = await connect(databaseUrl);
  const {
    rows: [owner],
  } = await db.query('select id from users where username = $1', [USERNAME]);
  const sql = async (text, parameters) => (await db.query(text, parameters)).rows;
  const token = await logIn(server.origin, USERNAME);
  // The small library first, its files renamed out of the way: paths are unique across users and
  // the seeder names them by row number.
  const memberId = await createMember(server.origin, token, SMALL_USERNAME);
  await phase(`seed ${count(SMALL_ITEMS)} media for ${SMALL_USERNAME}`, 3 * MIN, async () => {
    await seedLibrary(sql, memberId, SMALL_ITEMS);
    await sql(`update media set rel_path = 'small/' || rel_path where user_id = $1`, [memberId]);
  });
  const seeded = await phase(`seed ${count(ITEMS)} media`, 3 * MIN, () => seedLibrary(sql, owner.id, ITEMS));
  const thumbnail = await makeThumbnail();
  const source = join(dir, 'thumbnail.webp');
  await writeFile(source, thumbnail);
  await phase('link the thumbnails', MIN, () => linkThumbnails(db, join(server.dataDir, 'thumbs'), source));
  const {
    rows: [sample],
  } = await db.query('select id from media where user_id = $1 limit 1', [owner.id]);
  const smallToken = await logIn(server.origin, SMALL_USERNAME);
  const probe = await fetch(`${server.origin}/api/v1/media/${sample.id}/thumbnail?size=small`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (probe.status !== 200) throw new Error(`a thumbnail answered ${probe.status}: ${await probe.text()}`);
  await probe.arrayBuffer();
  const api = await phase('API round trips of the first view', MIN, () =>
    timeApi(server.origin, token, sample.id),
  );
  const baseline = await startBaselineServer(thumbnail);
  cleanups.push(() => baseline.close());
  const browser = await launchBrowser();

  // First view and jump, dashboard and baseline alternating. The baseline's first page needs the
  // dashboard's tiles, so each baseline run follows a dashboard run and copies its screens.
  const dashboardRuns = [];
  const baselineRuns = [];
  await phase(`first view and jump, ${RUNS} runs each`, 3 * MIN + RUNS * MIN, async () => {
    for (let run = 0; run < RUNS; run++) {
      const { context, page, responses, errors } = await openPage(browser, server.origin, { cookie: token });
      await page.goto('/', { waitUntil: 'commit' });
      const cold = await firstView(page);
      const bytes = transferred(responses);
      if (args.waterfall && run === 0) {
        printWaterfall('first cold view', await page.evaluate(waterfall, 0), 0, cold.at);
      }
      await settle(page);
      const jump = await page.evaluate((back) => window.__bench.jump(back), YEARS_BACK);
      if (jump.error) throw new Error(jump.error);
      if (args.waterfall && run === 0) {
        printWaterfall(
          `jump to ${jump.year}`,
          await page.evaluate(waterfall, jump.clicked),
          jump.clicked,
          jump.at,
        );
      }
      const years = await page.evaluate(() =>
        [...document.querySelectorAll('nav[aria-label="Years"] button')].map((button) =>
          Number(button.textContent.trim()),
        ),
      );
      const jumpMonth = await page.evaluate(
        (year) =>
          [...document.querySelectorAll(`[data-month^="${year}-"]`)]
            .map((section) => section.dataset.month)
            .sort()
            .at(-1),
        jump.year,
      );
      await page.goto('/', { waitUntil: 'commit' });
      const warm = await firstView(page);
      if (errors.length > 0) log(`  dashboard page errors: ${errors.join(' | ')}`);
      await context.close();
      dashboardRuns.push({ cold, warm, jump, bytes });

      baseline.setFirstPage({
        firstTiles: cold.tiles,
        jumpTiles: jump.tiles,
        years,
        jumpYear: jump.year,
        jumpMonth,
      });
      const still = await openPage(browser, baseline.origin);
      await still.page.goto('/first', { waitUntil: 'commit' });
      const stillCold = await firstView(still.page);
      await settle(still.page);
      const stillJump = await still.page.evaluate((back) => window.__bench.jump(back), YEARS_BACK);
      await still.page.goto('/first', { waitUntil: 'commit' });
      const stillWarm = await firstView(still.page);
      await still.context.close();
      baselineRuns.push({ cold: stillCold, warm: stillWarm, jump: stillJump });
      log(
        `    run ${run + 1}: first view ${msText(cold.at)} (baseline ${msText(stillCold.at)}), ` +
          `warm ${msText(warm.at)} (${msText(stillWarm.at)}), jump to ${jump.year} ${msText(jump.ms)} ` +
          `(${msText(stillJump.ms)}), ${cold.tiles.length} tiles → ${jump.tiles.length}`,
      );
    }
  });

  // The first view's JS and CSS as a browser that accepts only gzip gets them.
  const gzip = await phase('first view, gzip only', MIN, async () => {
    const { context, page, responses } = await openPage(browser, server.origin, {
      cookie: token,
      gzipOnly: true,
    });
    await page.goto('/', { waitUntil: 'commit' });
    await firstView(page);
    const bytes = transferred(responses);
    await context.close();
    return bytes;
  });

  // Scrolling: the small library, then the big one, the same way.
  const scrollCap = SCROLL_MAX_MS + MIN;
  const scrollOptions = { framesPerStep: FRAMES_PER_STEP, settleCapMs: SETTLE_CAP_MS, maxMs: SCROLL_MAX_MS };
  const scrollThrough = async (cookie, profilePath) => {
    const { context, page, cdp, errors } = await openPage(browser, server.origin, { cookie });
    await page.goto('/', { waitUntil: 'commit' });
    await firstView(page);
    await settle(page);
    if (profilePath) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const result = await page.evaluate((options) => window.__bench.scrollThrough(options), scrollOptions);
    if (profilePath) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(profilePath, JSON.stringify(profile));
      log(`    CPU profile of the dashboard scrolling: ${profilePath}; self time by function:`);
      for (const line of topFunctions(profile)) log(`      ${line}`);
      // The sampler runs beside the page's main thread: a long gap between samples is time the
      // renderer got no CPU (a busy machine), which long tasks count as theirs.
      const gaps = profile.timeDeltas.filter((delta) => delta > 10_000);
      log(
        `      ${gaps.length} gaps of > 10 ms between samples, ${(gaps.reduce((sum, d) => sum + d, 0) / 1e6).toFixed(1)} s ` +
          `in all, the longest ${Math.round(gaps.reduce((most, d) => Math.max(most, d), 0) / 1000)} ms (no CPU for the renderer)`,
      );
    }
    if (errors.length > 0) log(`  dashboard page errors: ${errors.join(' | ')}`);
    await context.close();
    return result;
  };
  const scrolledBaseline = await phase(`scroll the ${count(SMALL_ITEMS)}-item timeline`, scrollCap, () =>
    scrollThrough(smallToken),
  );
  const scrolled = await phase(`scroll the ${count(ITEMS)}-item timeline`, scrollCap, () =>
    scrollThrough(token, args.profile),
  );

  report({
    seeded,
    api,
    dashboardRuns,
    baselineRuns,
    gzip,
    scrolled,
    scrolledBaseline,
    loadBefore,
    loadAfter: loadavg(),
    minutes: (performance.now() - started) / MIN,
  });
}

function longTaskSummary(result) {
  if (result.longTasks === undefined) return {};
  const durations = result.longTasks.map((task) => task.duration);
  return {
    over50: durations.length,
    over200: durations.filter((duration) => duration > TARGETS.longTaskMs).length,
    longest: durations.length === 0 ? 0 : Math.max(...durations),
    total: durations.reduce((sum, duration) => sum + duration, 0),
  };
}

function report({ seeded, api, dashboardRuns, baselineRuns, gzip, scrolled, scrolledBaseline, ...run }) {
  const pick = (runs, get) => runs.map(get);
  const cold = pick(dashboardRuns, (r) => r.cold.at);
  const warm = pick(dashboardRuns, (r) => r.warm.at);
  const jump = pick(dashboardRuns, (r) => r.jump.ms);
  const baseCold = pick(baselineRuns, (r) => r.cold.at);
  const baseWarm = pick(baselineRuns, (r) => r.warm.at);
  const baseJump = pick(baselineRuns, (r) => r.jump.ms);
  const brotli = dashboardRuns[0].bytes;
  const tasks = longTaskSummary(scrolled);
  const baseTasks = longTaskSummary(scrolledBaseline);
  const met = (ok) => (ok === undefined ? '?' : ok ? 'yes' : 'NO');

  const rows = [
    [
      'first view JS + CSS, gzip',
      `${kb(gzip.code)}`,
      `≤ ${kb(TARGETS.gzipBytes)}`,
      met(gzip.code <= TARGETS.gzipBytes && gzip.codeEncodings === 'gzip'),
      '—',
      '—',
    ],
    ['  the same, brotli (Chromium default)', kb(brotli.code), '', '', '—', '—'],
    [
      'first thumbnails painted, cold (median)',
      msText(median(cold)),
      `≤ ${TARGETS.firstViewMs} ms`,
      met(median(cold) <= TARGETS.firstViewMs),
      msText(median(baseCold)),
      ratio(median(cold), median(baseCold)),
    ],
    ['  runs (min–max)', range(cold), '', '', range(baseCold), ''],
    [
      'first thumbnails painted, warm (median)',
      msText(median(warm)),
      `≤ ${TARGETS.firstViewMs} ms`,
      met(median(warm) <= TARGETS.firstViewMs),
      msText(median(baseWarm)),
      ratio(median(warm), median(baseWarm)),
    ],
    [
      `scrubber jump ${YEARS_BACK} years back (median)`,
      msText(median(jump)),
      `≤ ${TARGETS.jumpMs} ms`,
      met(median(jump) <= TARGETS.jumpMs),
      msText(median(baseJump)),
      ratio(median(jump), median(baseJump)),
    ],
    ['  runs (min–max)', range(jump), '', '', range(baseJump), ''],
    [
      'DOM elements, most at any scroll position',
      count(scrolled.maxDom),
      `≤ ${count(TARGETS.dom)}`,
      met(scrolled.maxDom <= TARGETS.dom),
      count(scrolledBaseline.maxDom),
      ratio(scrolled.maxDom, scrolledBaseline.maxDom),
    ],
    [
      'long tasks > 200 ms while scrolling',
      count(tasks.over200),
      '0',
      met(tasks.over200 === undefined ? undefined : tasks.over200 === 0 && !scrolled.truncated),
      count(baseTasks.over200),
      '—',
    ],
    [
      '  longest long task while scrolling',
      tasks.longest === undefined ? '—' : msText(tasks.longest),
      `≤ ${TARGETS.longTaskMs} ms`,
      '',
      baseTasks.longest === undefined ? '—' : msText(baseTasks.longest),
      ratio(tasks.longest, baseTasks.longest),
    ],
    [
      '  long tasks > 50 ms per 100 steps',
      perHundred(tasks.over50, scrolled.steps),
      '',
      '',
      perHundred(baseTasks.over50, scrolledBaseline.steps),
      ratio(tasks.over50 / scrolled.steps, baseTasks.over50 / scrolledBaseline.steps),
    ],
    [
      '  main-thread time in long tasks per step',
      msText(tasks.total / scrolled.steps),
      '',
      '',
      msText(baseTasks.total / scrolledBaseline.steps),
      ratio(tasks.total / scrolled.steps, baseTasks.total / scrolledBaseline.steps),
    ],
    [
      '  wall time per step (one screen)',
      msText(scrolled.ms / scrolled.steps),
      '',
      '',
      msText(scrolledBaseline.ms / scrolledBaseline.steps),
      ratio(scrolled.ms / scrolled.steps, scrolledBaseline.ms / scrolledBaseline.steps),
    ],
  ];
  const header = ['figure', 'dashboard', 'target', 'met', 'baseline', 'ratio'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();

  const first = dashboardRuns[0];
  console.log('');
  console.log(
    `Dashboard on a ${count(seeded.counts.media)}-item library (${count(seeded.counts.videos)} videos, ` +
      `${count(seeded.counts.trashed)} in the trash), Chromium ${VIEWPORT.width}×${VIEWPORT.height}, ` +
      `${RUNS} runs, CPU slowdown ${CPU_SLOWDOWN}×`,
  );
  console.log(
    `Baseline: first view and jump — a static page of the very tiles the dashboard painted (same count, ` +
      `places and WebP bytes) on a bare node:http server; scrolling — the dashboard on a ` +
      `${count(SMALL_ITEMS)}-item library (another member, same server), scrolled the same way`,
  );
  console.log('');
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log(`JS + CSS with gzip only: ${gzip.codeFiles.join('; ')}`);
  console.log(`JS + CSS as Chromium asks: ${first.bytes.codeFiles.join('; ')}`);
  console.log(
    `First view (cold, run 1): ${first.bytes.requests} requests, ${first.bytes.images} thumbnails, ` +
      `${kb(first.bytes.all)} in all; ${first.cold.tiles.length} tiles on the first screen ` +
      `(${count(first.cold.dom)} DOM elements), ${first.jump.tiles.length} after the jump to ${first.jump.year}`,
  );
  console.log(
    `API alone (median of 20, one at a time): ` +
      api.map((call) => `${call.name} ${call.ms.toFixed(1)} ms (${kb(call.bytes)})`).join(', '),
  );
  const share = (value) => `${Math.round(value * 100)} %`;
  console.log(
    `Scrolling, a screen every ${FRAMES_PER_STEP} frames: ${scrolled.steps} steps over ${count(scrolled.height)} px, ` +
      `most DOM at y = ${count(scrolled.maxDomAt)}, ${scrolled.unsettled} steps with months still loading after ` +
      `${SETTLE_CAP_MS} ms, ${share(scrolled.painted)} of the screen's tiles showed their thumbnail when the next ` +
      `step came, ${(scrolled.ms / SEC).toFixed(1)} s in all${scrolled.truncated ? ', STOPPED EARLY (--scroll-max-s)' : ''}; ` +
      `${count(SMALL_ITEMS)} items: ${scrolledBaseline.steps} steps over ${count(scrolledBaseline.height)} px, ` +
      `${share(scrolledBaseline.painted)} shown, ${(scrolledBaseline.ms / SEC).toFixed(1)} s` +
      `${scrolledBaseline.truncated ? ', STOPPED EARLY (--scroll-max-s)' : ''}`,
  );
  if (scrolled.longTasks?.length) {
    // When in the pass (0 % = top, 100 % = bottom) the long tasks came: do they grow as months load?
    const started = scrolled.started;
    const quarters = [0, 1, 2, 3].map((quarter) => {
      const tasksIn = scrolled.longTasks.filter(
        (task) => Math.min(3, Math.floor(((task.start - started) / scrolled.ms) * 4)) === quarter,
      );
      const longest = tasksIn.reduce((most, task) => Math.max(most, task.duration), 0);
      return `${quarter * 25}–${quarter * 25 + 25} %: ${tasksIn.length}, longest ${Math.round(longest)} ms`;
    });
    console.log(`Long tasks by quarter of the ${count(ITEMS)}-item pass: ${quarters.join('; ')}`);
  }
  console.log(
    `Machine: ${cpus().length} CPUs, load average ${run.loadBefore[0].toFixed(1)} at the start, ` +
      `${run.loadAfter[0].toFixed(1)} at the end (above ${cpus().length} the figures are noisy: rerun); ` +
      `${run.minutes.toFixed(1)} min`,
  );
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
