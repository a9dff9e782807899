#!/usr/bin/env node
// bench/library/queries: browse and check queries through the real HTTP API of the built server,
// on a seeded library — 1,000,000 items on PostgreSQL, 100,000 on embedded PGlite (DESIGN §7:
// `media/list` page of 100 at 1M on PostgreSQL p95 < 20 ms; `media/check` of 10,000 items against
// a 100,000-item library < 300 ms). Each case is also timed as raw SQL — the very statement the
// server issues, captured by running the db package's own query function through a Kysely plugin
// that records the compiled SQL and its parameters — and `EXPLAIN (ANALYZE, BUFFERS)` of that
// statement shows which index it uses.
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once
//   node bench/library/queries.mjs [--pg-url postgres://postgres@127.0.0.1:5432/postgres]
//     [--only postgres|pglite] [--pg-rows 1000000] [--pglite-rows 100000] [--samples 200]
//     [--check-samples 200] [--case-budget-s 60] [--plans key|full|none] [--max-minutes 60]
//     [--keep-scratch]
//
// Each case: 20 warm-up calls, then --samples sequential calls, HTTP and raw SQL alike; a case
// whose calls are so slow that the samples would take longer than --case-budget-s stops there
// (after at least 20). Every phase has a time cap and the whole run gives up after --max-minutes.
//
// PostgreSQL: a scratch database `iclood_bench_<random>` is created on the server the URL names
// (127.0.0.1 only) and dropped at the end. PGlite: a temp data dir, removed at the end. The iClood
// server listens on 127.0.0.1 with ICLOOD_MDNS=false and is stopped at the end, failure or not.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL, URLSearchParams } from 'node:url';
import { parseArgs } from 'node:util';

import { EXPECTED_INDEXES, explain, planSummary, printPlan } from './query-plans.mjs';
import { checkItems, seedLibrary } from './seed-library.mjs';
import { serverEnv, listeningPort, stopProcess } from '../shared/iclood-server.mjs';
import { guardRun } from '../shared/run-guard.mjs';
import { createScratchDatabase, localPostgresUrl } from '../shared/scratch-database.mjs';

const { values: args } = parseArgs({
  options: {
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    only: { type: 'string' },
    'pg-rows': { type: 'string', default: '1000000' },
    'pglite-rows': { type: 'string', default: '100000' },
    samples: { type: 'string', default: '200' },
    'check-samples': { type: 'string', default: '200' },
    'case-budget-s': { type: 'string', default: '60' },
    warmup: { type: 'string', default: '20' },
    'deep-pages': { type: 'string', default: '50' },
    'check-items': { type: 'string', default: '10000' },
    plans: { type: 'string', default: 'key' },
    'max-minutes': { type: 'string', default: '60' },
    // For EXPLAIN by hand afterwards: the PostgreSQL scratch database is left (its name is
    // printed); drop it yourself. Everything else is still cleaned up.
    'keep-scratch': { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(args.samples);
const CHECK_SAMPLES = Number(args['check-samples']);
const CASE_BUDGET_MS = Number(args['case-budget-s']) * 1000;
const MIN_SAMPLES = 20;
const WARMUP = Number(args.warmup);
const DEEP_PAGES = Number(args['deep-pages']);
const CHECK_ITEMS = Number(args['check-items']);
const PAGE = 100;
const LIST_TARGET_MS = 20;
const CHECK_TARGET_MS = 300;
const USERNAME = 'bench';
const PASSWORD = 'bench-password';
const SEC = 1000;
const MIN = 60 * SEC;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'apps', 'server', 'dist', 'launch.cjs');
const DB_DIST = join(root, 'packages', 'db', 'dist', 'index.js');
if (!existsSync(MAIN) || !existsSync(DB_DIST)) {
  console.error('Build the server first: npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...');
  process.exit(2);
}
// The deepest case pages through videos (~12 % of the library) to page DEEP_PAGES + 1.
const minRows = Math.ceil(((DEEP_PAGES + 1) * PAGE) / 0.1);
for (const option of ['pg-rows', 'pglite-rows']) {
  if (Number(args[option]) < minRows) {
    console.error(
      `--${option} must be at least ${minRows} for --deep-pages ${DEEP_PAGES}; lower --deep-pages`,
    );
    process.exit(2);
  }
}
const pgUrl = localPostgresUrl(args['pg-url']);

// The db package's own functions (the SQL the server runs) and its Kysely, resolved from packages/db.
const { openDatabase, migrateToLatest, listMedia, checkMedia, mediaTimeline } = await import(
  pathToFileURL(DB_DIST).href
);
const { CompiledQuery } = await importFromDbPackage('kysely');
// The SQL is captured from the db package as loaded now; the server loads it at each start.
const dbBuiltAt = () => statSync(DB_DIST).mtimeMs;
const DB_BUILT_AT = dbBuiltAt();

async function importFromDbPackage(name) {
  // Its ESM entry, the one the db package's dist loads, so both share one module instance.
  const requireFromDb = createRequire(join(root, 'packages', 'db', 'package.json'));
  let dir = dirname(requireFromDb.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
  ) {
    if (dirname(dir) === dir) throw new Error(`cannot find the ${name} package`);
    dir = dirname(dir);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entry = manifest.exports?.['.']?.import ?? manifest.module ?? manifest.main;
  return import(pathToFileURL(join(dir, entry)).href);
}

const log = (line) => process.stderr.write(`${line}\n`);

// ---- cleanup, time caps (bench/lib/run-guard.mjs) --------------------------------------------
const { cleanups, cleanUp, phase } = guardRun({ maxMinutes: Number(args['max-minutes']), log });

// ---- numbers ---------------------------------------------------------------------------------
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1) };
}
const ms = (value) => (value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const count = (value) => value.toLocaleString('en-US');

// ---- database --------------------------------------------------------------------------------
/** Plain SQL with `$n` parameters, on either database through the db package's Kysely. */
async function query(db, text, parameters = []) {
  const { rows } = await db.executeQuery(CompiledQuery.raw(text, parameters));
  return rows;
}

/** Runs `work(db)` with a Kysely whose compiled statements are recorded, and returns them. */
async function captureStatements(db, work) {
  const statements = [];
  const recording = db.withPlugin({
    transformQuery: (input) => {
      const compiled = db.getExecutor().compileQuery(input.node, input.queryId);
      statements.push({ sql: compiled.sql, parameters: [...compiled.parameters] });
      return input.node;
    },
    transformResult: async (input) => input.result,
  });
  const result = await work(recording);
  return { statements, result };
}

async function runStatements(db, statements) {
  let rows;
  for (const statement of statements) rows = await query(db, statement.sql, statement.parameters);
  return rows;
}

/** What the route hands to `checkMedia` for these request items. */
const checkMediaInput = (items) =>
  items.map((item) => ({
    key: item.key,
    sha256: item.sha256?.toLowerCase(),
    localId: item.localId,
    name: item.name,
    size: item.size,
    createdAt: item.createdAt ? new Date(item.createdAt) : undefined,
  }));

// ---- the cases -------------------------------------------------------------------------------
/**
 * Each list case as HTTP query parameters and as the `listMedia` input the route builds from them.
 * `deep`: time page DEEP_PAGES + 1, reached by following `nextCursor`.
 */
function listCases(fixtures) {
  const family = fixtures.albums.Family;
  const wedding = fixtures.albums.Wedding;
  const month = { from: '2019-07-01T00:00:00.000Z', to: '2019-08-01T00:00:00.000Z' };
  return [
    { name: 'first page', params: {} },
    { name: `deep cursor (page ${DEEP_PAGES + 1})`, params: {}, deep: true },
    { name: 'type=video', params: { type: 'video' } },
    { name: `type=video, deep (page ${DEEP_PAGES + 1})`, params: { type: 'video' }, deep: true },
    { name: 'favorite=true', params: { favorite: 'true' } },
    { name: 'from/to (one month)', params: month },
    { name: 'device (iPad, 5 %)', params: { device: fixtures.devices.frequent } },
    { name: 'device (iPhone 6s, 0.1 %)', params: { device: fixtures.devices.rare } },
    { name: 'q=IMG_1234 (1 in 9,999)', params: { q: 'IMG_1234' } },
    { name: 'q=holiday (display names, 1 %)', params: { q: 'holiday' } },
    { name: 'q=zzz-none (no match)', params: { q: 'zzz-none' } },
    { name: 'q=IMG (every item)', params: { q: 'IMG' } },
    { name: `q=wedding (album name, ${count(wedding.items)})`, params: { q: 'wedding' } },
    { name: 'type=video&favorite=true', params: { type: 'video', favorite: 'true' } },
    { name: `album Family (${count(family.items)})`, params: { album: family.id }, album: true },
    { name: `album Wedding (${count(wedding.items)})`, params: { album: wedding.id }, album: true },
    { name: 'sort=uploaded', params: { sort: 'uploaded' } },
  ];
}

/** The `listMedia` input routes/api/media/browse.ts builds from these query parameters. */
function listInput(userId, params, albumKey) {
  const filters = {
    ...(params.from ? { from: new Date(params.from) } : {}),
    ...(params.to ? { to: new Date(params.to) } : {}),
    ...(params.type ? { type: params.type } : {}),
    ...(params.favorite === undefined ? {} : { favorite: params.favorite === 'true' }),
    ...(params.device ? { deviceId: params.device } : {}),
    ...(params.q ? { q: params.q } : {}),
    ...(params.album && albumKey ? { [albumKey]: params.album } : {}),
  };
  return { userId, limit: Number(params.limit ?? PAGE), filters, sort: params.sort ?? 'taken' };
}

/**
 * The album filter is being added to `listMedia` alongside this benchmark; which filter key it
 * reads is found by trying the likely names and keeping the one whose SQL joins `album_media`.
 */
async function albumFilterKey(db, userId, albumId) {
  for (const key of ['albumId', 'album']) {
    const { statements } = await captureStatements(db, (recording) =>
      listMedia(recording, listInput(userId, { album: albumId, limit: 1 }, key)),
    );
    if (statements.some((statement) => /album_media/.test(statement.sql))) return key;
  }
  return undefined;
}

// ---- the server and HTTP ---------------------------------------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request on a kept-alive connection; `ms` is from sending to the last byte of the answer. */
function http(port, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers });
    outgoing.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const elapsed = performance.now() - started;
        resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: elapsed });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function startServer(dataDir, databaseUrl) {
  const env = serverEnv({ dataDir, databaseUrl, username: USERNAME, password: PASSWORD });
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopProcess(child, 20 * SEC);
  cleanups.push(stop);
  return { child, port: await listeningPort(child), stop };
}

async function logIn(server) {
  const answer = await http(server.port, 'POST', '/api/v1/auth/login', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${answer.text}`);
  return { authorization: `Bearer ${JSON.parse(answer.text).data.token}` };
}

function listPath(params, cursor) {
  const search = new URLSearchParams({ limit: String(PAGE), ...params, ...(cursor ? { cursor } : {}) });
  return `/api/v1/media/list?${search}`;
}

/** Warms up, then times `samples` sequential calls of `call` (which returns an answer with `ms`). */
/**
 * Times `samples` sequential runs of `run` (which resolves to the elapsed ms) after a warm-up.
 * A case slower than the budget allows stops early, after at least MIN_SAMPLES runs: a case
 * that misses its target by a factor of ten does not need 200 samples to say so, and the run
 * stays bounded. `n` in the report says how many were taken.
 */
async function sample(run, samples) {
  const budgetEnds = performance.now() + CASE_BUDGET_MS;
  const warmupEnds = performance.now() + CASE_BUDGET_MS / 10;
  for (let i = 0; i < WARMUP && (i === 0 || performance.now() < warmupEnds); i++) await run();
  const timings = [];
  while (timings.length < samples && (timings.length < MIN_SAMPLES || performance.now() < budgetEnds)) {
    timings.push(await run());
  }
  return stats(timings);
}

function sampleHttp(call, samples, check) {
  return sample(async () => {
    const answer = await call();
    check(answer);
    return answer.ms;
  }, samples);
}

function sampleSql(db, statements, samples) {
  return sample(async () => {
    const started = performance.now();
    await runStatements(db, statements);
    return performance.now() - started;
  }, samples);
}

const ok200 = (what) => (answer) => {
  if (answer.status !== 200)
    throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
};

/** Decodes a cursor only to compare positions with the in-process run; clients treat it as opaque. */
function cursorPosition(cursor) {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return `${new Date(at).toISOString()}|${id}`;
}

// ---- one database ----------------------------------------------------------------------------
/**
 * Everything that runs against the database directly — owner lookup, seeding, picking fixtures,
 * capturing the server's SQL, EXPLAIN, raw SQL timings — on `db`, while the server is stopped
 * (PGlite: one process per data dir) or idle (PostgreSQL).
 */
async function prepare(db, label, rows) {
  const sql = (text, parameters) => query(db, text, parameters);
  const [owner] = await query(db, `select id from users where username = $1`, [USERNAME]);
  if (!owner) throw new Error('the server did not create the owner');
  const userId = owner.id;
  const seedStarted = performance.now();
  const fixtures = await phase(
    `${label}: seed ${count(rows)} media`,
    (rows / 1000) * 1.2 * SEC + 2 * MIN,
    () => seedLibrary(sql, userId, rows),
  );
  fixtures.seedMs = performance.now() - seedStarted;

  const albumKey = await albumFilterKey(db, userId, fixtures.albums.Family.id);
  const cases = listCases(fixtures);
  const casesCap = (cases.length + 1) * (CASE_BUDGET_MS * 1.2 + 30 * SEC) + 2 * MIN;
  await phase(`${label}: capture SQL, EXPLAIN, raw SQL timings`, casesCap, async () => {
    for (const testCase of cases) {
      if (testCase.album && !albumKey) continue;
      log(`    ${testCase.name}`);
      const input = listInput(userId, testCase.params, albumKey);
      if (testCase.deep) {
        for (let page = 0; page < DEEP_PAGES; page++) {
          const result = await listMedia(db, input);
          if (!result.nextCursor) throw new Error(`${testCase.name}: the list ended before page ${page + 1}`);
          input.after = result.nextCursor;
        }
        testCase.deepPosition = `${input.after.at.toISOString()}|${input.after.id}`;
      }
      const { statements, result } = await captureStatements(db, (recording) => listMedia(recording, input));
      testCase.statements = statements;
      testCase.expectedIds = result.items.map((item) => item.id);
      testCase.plan = await explain(sql, statements);
      testCase.sql = await sampleSql(db, statements, SAMPLES);
    }
    const timeline = await captureStatements(db, (recording) => mediaTimeline(recording, { userId }));
    fixtures.timeline = {
      statements: timeline.statements,
      months: timeline.result.length,
      plan: await explain(sql, timeline.statements),
      sql: await sampleSql(db, timeline.statements, SAMPLES),
    };
  });

  const { items, duplicates } = await checkItems(sql, userId, CHECK_ITEMS);
  const body = JSON.stringify({ items });
  const check = { items, body, duplicates };
  await phase(
    `${label}: check — capture SQL, EXPLAIN, raw SQL timings`,
    CASE_BUDGET_MS * 1.2 + 5 * MIN,
    async () => {
      const { statements, result } = await captureStatements(db, (recording) =>
        checkMedia(recording, { userId, items: checkMediaInput(items) }),
      );
      const found = result.filter((entry) => entry.state === 'duplicate').length;
      if (found !== duplicates)
        throw new Error(`checkMedia found ${found} duplicates, expected ${duplicates}`);
      check.statements = statements;
      check.plan = await explain(sql, statements);
      check.sql = await sampleSql(db, statements, CHECK_SAMPLES);
    },
  );
  return { userId, fixtures, cases, albumKey, check };
}

/** The HTTP measurements against a running server. */
async function measureHttp(server, label, prepared) {
  const headers = await logIn(server);
  const get = (path) => () => http(server.port, 'GET', path, { headers });
  const results = {};
  const casesCap = (prepared.cases.length + 3) * (CASE_BUDGET_MS * 1.2 + 30 * SEC) + 2 * MIN;
  await phase(`${label}: HTTP timings`, casesCap, async () => {
    results.ping = await sampleHttp(() => http(server.port, 'GET', '/api/v1/ping'), SAMPLES, ok200('ping'));
    const albumProbe = await http(
      server.port,
      'GET',
      listPath({ album: prepared.fixtures.albums.Wedding.id, limit: '1' }),
      { headers },
    );
    results.albumAvailable = albumProbe.status === 200;
    if (!results.albumAvailable && albumProbe.status !== 400) ok200('album probe')(albumProbe);

    for (const testCase of prepared.cases) {
      if (testCase.album && (!results.albumAvailable || !prepared.albumKey)) continue;
      log(`    ${testCase.name}`);
      let cursor;
      if (testCase.deep) {
        for (let page = 0; page < DEEP_PAGES; page++) {
          const answer = await http(server.port, 'GET', listPath(testCase.params, cursor), { headers });
          ok200(testCase.name)(answer);
          cursor = JSON.parse(answer.text).data.nextCursor;
        }
        testCase.httpDeepPosition = cursorPosition(cursor);
      }
      const path = listPath(testCase.params, cursor);
      const first = await http(server.port, 'GET', path, { headers });
      ok200(testCase.name)(first);
      const ids = JSON.parse(first.text).data.items.map((item) => item.id);
      // The captured statement must return the page the server returns, or its EXPLAIN proves nothing.
      testCase.sameAsServer =
        ids.length === testCase.expectedIds.length && ids.every((id, i) => id === testCase.expectedIds[i]);
      testCase.items = ids.length;
      testCase.http = await sampleHttp(get(path), SAMPLES, ok200(testCase.name));
    }
    results.timeline = await sampleHttp(get('/api/v1/media/timeline'), SAMPLES, ok200('timeline'));

    const postCheck = () =>
      http(server.port, 'POST', '/api/v1/media/check', {
        headers: { ...headers, 'content-type': 'application/json' },
        body: prepared.check.body,
      });
    const answer = await postCheck();
    ok200('check')(answer);
    const duplicates = JSON.parse(answer.text).data.results.filter(
      (entry) => entry.state === 'duplicate',
    ).length;
    if (duplicates !== prepared.check.duplicates) {
      throw new Error(`media/check found ${duplicates} duplicates, expected ${prepared.check.duplicates}`);
    }
    results.check = await sampleHttp(postCheck, CHECK_SAMPLES, ok200('check'));
  });
  return results;
}

async function benchPostgres(rows) {
  const label = 'postgres';
  const maintenance = await openDatabase({ url: pgUrl.toString(), poolMax: 1 });
  cleanups.push(() => maintenance.close());
  const [{ version }] = await query(maintenance.db, 'select version()');
  const settings = await query(
    maintenance.db,
    `select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) as line from pg_settings
     where name in ('jit', 'work_mem', 'shared_buffers', 'max_parallel_workers_per_gather', 'random_page_cost')`,
  );
  const scratch = await createScratchDatabase(pgUrl);
  if (args['keep-scratch']) {
    log(`  keeping the scratch database ${scratch.name} (--keep-scratch): drop it when done`);
  } else cleanups.push(scratch.drop);
  const scratchUrl = new URL(scratch.url);

  const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-library-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const server = await phase(`${label}: start the server (migrations, owner)`, 2 * MIN, () =>
    startServer(join(dir, 'data'), scratchUrl.toString()),
  );
  // One connection, like the server's queries: timings are of one statement at a time.
  const handle = await openDatabase({ url: scratchUrl.toString(), poolMax: 1 });
  cleanups.push(() => handle.close());
  const prepared = await prepare(handle.db, label, rows);
  const results = await measureHttp(server, label, prepared);
  await server.stop();
  return {
    label: `PostgreSQL (${version.split(' on ')[0]}; ${settings[0].line})`,
    kind: 'postgres',
    rows,
    prepared,
    results,
  };
}

async function benchPglite(rows) {
  const label = 'pglite';
  const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-library-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  // The server migrates the embedded database and creates the owner, then stops: a PGlite data
  // dir is used by one process at a time, so seeding and EXPLAIN run in between.
  const first = await phase(`${label}: start the server (migrations, owner)`, 2 * MIN, () =>
    startServer(dataDir),
  );
  await first.stop();
  const handle = await openDatabase({ embeddedDir: join(dataDir, 'db') });
  let closed = false;
  const close = async () => {
    if (!closed) await handle.close();
    closed = true;
  };
  cleanups.push(close);
  await migrateToLatest(handle.db); // a no-op: proves the server left the schema at the latest version
  const [{ version }] = await query(handle.db, 'select version()');
  const prepared = await prepare(handle.db, label, rows);
  await close();
  const server = await phase(`${label}: restart the server`, 2 * MIN, () => startServer(dataDir));
  const results = await measureHttp(server, label, prepared);
  await server.stop();
  return { label: `PGlite (${version.split(' on ')[0]})`, kind: 'pglite', rows, prepared, results };
}

// ---- report ----------------------------------------------------------------------------------
function report(run) {
  const { prepared, results } = run;
  const { fixtures } = prepared;
  const c = fixtures.counts;
  console.log(
    `\n${run.label}, ${count(c.media)} media for one user (${count(c.trashed)} in the trash, ` +
      `${count(c.videos)} videos, ${count(c.favorites)} favorites, ${count(c.albumMedia)} album entries), ` +
      `seeded in ${(fixtures.seedMs / SEC).toFixed(1)} s`,
  );
  console.log(
    `  HTTP: ${SAMPLES} sequential requests per case after ${WARMUP} warm-up, one kept-alive connection; ` +
      `SQL: the server's statement on one direct connection. Times in ms.`,
  );
  const header = [
    'case'.padEnd(38),
    'items'.padStart(5),
    'HTTP p50'.padStart(9),
    'p95'.padStart(7),
    'max'.padStart(7),
    'SQL p50'.padStart(8),
    'p95'.padStart(7),
    'HTTP÷SQL p95'.padStart(12),
    'n HTTP/SQL'.padStart(10),
    '  target',
  ].join(' ');
  console.log(`  ${header}`);
  const row = (name, items, http, sqlStats, verdict) =>
    console.log(
      `  ${[
        name.padEnd(38),
        String(items ?? '').padStart(5),
        ms(http?.p50).padStart(9),
        ms(http?.p95).padStart(7),
        ms(http?.max).padStart(7),
        ms(sqlStats?.p50).padStart(8),
        ms(sqlStats?.p95).padStart(7),
        (http && sqlStats ? `${(http.p95 / sqlStats.p95).toFixed(1)}×` : '—').padStart(12),
        `${http?.n ?? '—'}/${sqlStats?.n ?? '—'}`.padStart(10),
        ` ${verdict}`,
      ].join(' ')}`,
    );
  row('ping (HTTP floor)', '', results.ping, undefined, '');
  const listVerdict = (http) => {
    if (run.kind !== 'postgres') return `(PG target p95 < ${LIST_TARGET_MS})`;
    return http.p95 < LIST_TARGET_MS ? `p95 < ${LIST_TARGET_MS}: met` : `p95 < ${LIST_TARGET_MS}: MISSED`;
  };
  for (const testCase of prepared.cases) {
    if (!testCase.http) continue;
    row(testCase.name, testCase.items, testCase.http, testCase.sql, listVerdict(testCase.http));
  }
  if (!results.albumAvailable) console.log('  album filter: not available yet');
  else if (!prepared.albumKey)
    console.log('  album filter: answered by HTTP, but listMedia takes no album filter key');
  row(
    `timeline (${fixtures.timeline.months} months)`,
    '',
    results.timeline,
    fixtures.timeline.sql,
    '(no target)',
  );
  const check = results.check;
  row(
    `check ${count(CHECK_ITEMS)} items (${count(prepared.check.duplicates)} dup.)`,
    '',
    check,
    prepared.check.sql,
    check.p95 < CHECK_TARGET_MS ? `p95 < ${CHECK_TARGET_MS}: met` : `p95 < ${CHECK_TARGET_MS}: MISSED`,
  );

  console.log('\n  Plans (EXPLAIN (ANALYZE, BUFFERS) of the captured statements):');
  const planRow = (name, lines, expected, verified) => {
    const summary = planSummary(lines);
    const usesExpected = expected.filter((index) => summary.indexes.includes(index));
    const seqOnMedia = summary.seqScans.includes('media');
    // An index read from end to end with a filter is a scan too, only in index order.
    const walksAll = !seqOnMedia && summary.removed > run.rows / 10;
    const verdict = seqOnMedia
      ? 'SEQ SCAN ON media'
      : (usesExpected.length > 0
          ? `uses ${usesExpected.join(', ')}`
          : `not ${expected.join('/')}, another index`) +
        (walksAll ? ' BUT FILTERS >10 % OF THE LIBRARY (a walk, not a seek)' : '');
    console.log(
      `  ${name.padEnd(38)} ${ms(summary.executionMs).padStart(8)} ms  rows removed by filter ${String(summary.removed).padStart(8)}  ` +
        `${verdict}; indexes: ${summary.indexes.join(', ') || 'none'}` +
        (summary.seqScans.length ? `; seq scans: ${summary.seqScans.join(', ')}` : '') +
        (verified === false ? '  (WARNING: differs from the server page)' : ''),
    );
  };
  for (const testCase of prepared.cases) {
    if (!testCase.plan) continue;
    const expected = testCase.params.sort === 'uploaded' ? ['media_uploaded_idx'] : ['media_browse_idx'];
    planRow(testCase.name, testCase.plan, expected, testCase.sameAsServer);
    if (testCase.deep && testCase.httpDeepPosition && testCase.httpDeepPosition !== testCase.deepPosition) {
      console.log(`    WARNING: the HTTP cursor at page ${DEEP_PAGES + 1} is not where listMedia's is`);
    }
  }
  planRow('timeline', fixtures.timeline.plan, ['media_browse_idx']);
  planRow('check', prepared.check.plan, EXPECTED_INDEXES.check);
  if (args.plans !== 'none') {
    for (const testCase of prepared.cases) {
      if (testCase.plan) printPlan(`${run.kind}: list, ${testCase.name}`, testCase.plan, args.plans);
    }
    printPlan(`${run.kind}: timeline`, fixtures.timeline.plan, args.plans);
    printPlan(`${run.kind}: check of ${count(CHECK_ITEMS)} items`, prepared.check.plan, args.plans);
    console.log(
      `\n  SQL of the list statement (first page, no filter):\n    ${prepared.cases[0].statements.map((s) => s.sql).join('\n    ')}`,
    );
  }
}

async function main() {
  const runs = [];
  try {
    if (args.only !== 'pglite') runs.push(await benchPostgres(Number(args['pg-rows'])));
    if (args.only !== 'postgres') runs.push(await benchPglite(Number(args['pglite-rows'])));
  } finally {
    await cleanUp();
    agent.destroy();
  }
  console.log(`\niClood library query benchmark (${new Date().toISOString()}, ${tmpdir()})`);
  if (dbBuiltAt() !== DB_BUILT_AT) {
    console.log(
      'WARNING: packages/db/dist was rebuilt during the run: the server may have run other SQL than was explained',
    );
  }
  for (const run of runs) report(run);
}

main().catch(async (error) => {
  console.error(error);
  await cleanUp();
  process.exit(1);
});
