// Times checkMedia — 10,000 items, half of them already stored — against a 100,000-item library,
// on embedded PGlite and, when a PostgreSQL URL is given, on PostgreSQL (in a scratch database
// that is dropped afterwards). DESIGN §7 target for the whole request: < 300 ms. Not a test.
// Usage: pnpm run build && node bench/check-media.mjs [postgres://…/postgres] [--plan]
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { CompiledQuery, sql } from 'kysely';

import { checkMedia } from '../dist/index.js';
import { testDatabaseTargets } from '../dist/testing.js';

const LIBRARY = 100_000;
const ITEMS = 10_000;
const IGNORED = 2_000;
const RUNS = 7;
const TAKEN_AT_START = Date.parse('2020-01-01T00:00:00Z');
const TAKEN_AT_STEP_MS = 17 * 60_000;

const url = process.argv.slice(2).find((arg) => arg.startsWith('postgres'));
const showPlan = process.argv.includes('--plan');

const hashOf = (label) => createHash('sha256').update(label).digest('hex');

async function seed(db) {
  const {
    rows: [user],
  } =
    await sql`insert into users (username, password_hash, role) values ('bench', 'x', 'owner') returning id`.execute(
      db,
    );
  const started = performance.now();
  // Every tenth item is in the trash; hashes, names, sizes and local ids are derived from g.
  await sql`
    insert into media (user_id, original_name, rel_path, sha256, size, media_type, mime, taken_at, local_id, trashed_at)
    select ${user.id}::uuid, 'IMG_' || g || '.HEIC', 'bench/' || g || '.HEIC',
      encode(sha256(convert_to('media ' || g, 'UTF8')), 'hex'), 1000000 + g, 'photo', 'image/heic',
      ${new Date(TAKEN_AT_START)}::timestamptz + g * interval '17 minutes', 'LOCAL-' || g,
      case when g % 10 = 0 then now() end
    from generate_series(1, ${LIBRARY}) g`.execute(db);
  await sql`
    insert into ignored_files (user_id, name, sha256, local_id)
    select ${user.id}::uuid, 'IGNORED_' || g || '.PNG',
      case when g % 3 = 0 then encode(sha256(convert_to('ignored ' || g, 'UTF8')), 'hex') end,
      case when g % 3 = 1 then 'IGNORED-' || g end
    from generate_series(1, ${IGNORED}) g`.execute(db);
  await sql`analyze media`.execute(db);
  await sql`analyze ignored_files`.execute(db);
  return { userId: user.id, seedMs: performance.now() - started };
}

/** A third by sha256 (the app), a third by local id, a third by name + size + createdAt (Shortcuts). */
function checkItems() {
  return Array.from({ length: ITEMS }, (_, i) => {
    const hit = i % 2 === 0;
    const g = hit ? 1 + ((i * 7919) % LIBRARY) : LIBRARY + i;
    const key = `item-${i}`;
    switch (i % 3) {
      case 0:
        return { key, sha256: hashOf(`media ${g}`) };
      case 1:
        return { key, localId: `LOCAL-${g}` };
      default:
        return {
          key,
          name: `IMG_${g}.HEIC`,
          size: 1_000_000 + g,
          createdAt: new Date(TAKEN_AT_START + g * TAKEN_AT_STEP_MS + 2 * 3_600_000),
        };
    }
  });
}

async function bench(target) {
  const database = await target.create();
  try {
    const { db } = database;
    const { userId, seedMs } = await seed(db);
    const items = checkItems();

    const timings = [];
    let results = [];
    for (let run = 0; run <= RUNS; run++) {
      const started = performance.now();
      results = await checkMedia(db, { userId, items });
      if (run > 0) timings.push(performance.now() - started); // run 0 warms caches up
    }
    const duplicates = results.filter((result) => result.state === 'duplicate').length;
    if (duplicates !== ITEMS / 2) throw new Error(`expected ${ITEMS / 2} duplicates, got ${duplicates}`);

    timings.sort((a, b) => a - b);
    const ms = (value) => value.toFixed(1);
    console.log(
      `${target.label.padEnd(8)} library ${LIBRARY} (seeded in ${ms(seedMs)} ms), ${ITEMS} items, ` +
        `${duplicates} duplicates: min ${ms(timings[0])} ms, median ${ms(timings[timings.length >> 1])} ms, ` +
        `max ${ms(timings.at(-1))} ms over ${RUNS} runs`,
    );

    if (showPlan) {
      let compiled;
      await checkMedia(
        db.withPlugin({
          transformQuery: (args) => {
            compiled = db.getExecutor().compileQuery(args.node, args.queryId);
            return args.node;
          },
          transformResult: async (args) => args.result,
        }),
        { userId, items },
      );
      const { rows } = await db.executeQuery(
        CompiledQuery.raw(`explain (analyze, costs off) ${compiled.sql}`, [...compiled.parameters]),
      );
      console.log(rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
  } finally {
    await database.destroy();
  }
}

for (const target of testDatabaseTargets(url)) await bench(target);
