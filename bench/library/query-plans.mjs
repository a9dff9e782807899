// EXPLAIN for bench/library/queries.mjs: runs `EXPLAIN (ANALYZE, BUFFERS)` of captured statements
// and says which indexes a plan uses. `sql(text, parameters)` runs one statement and returns its rows.

export const EXPECTED_INDEXES = {
  list: ['media_browse_idx', 'media_uploaded_idx'],
  check: ['media_user_sha256_key', 'media_local_id_idx', 'media_name_size_idx'],
};

export async function explain(sql, statements) {
  const plans = [];
  for (const statement of statements) {
    const rows = await sql(`explain (analyze, buffers) ${statement.sql}`, statement.parameters);
    plans.push(rows.map((row) => row['QUERY PLAN']));
  }
  return plans.flat();
}

export function planSummary(lines) {
  const indexes = new Set();
  const seqScans = new Set();
  for (const line of lines) {
    for (const match of line.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\w+) on (\w+)/g)) {
      indexes.add(match[1]);
    }
    for (const match of line.matchAll(/Bitmap Index Scan on (\w+)/g)) indexes.add(match[1]);
    for (const match of line.matchAll(/Seq Scan on (\w+)/g)) seqScans.add(match[1]);
  }
  const executionMs = lines
    .map((line) => /Execution Time: ([\d.]+) ms/.exec(line)?.[1])
    .filter(Boolean)
    .reduce((sum, value) => sum + Number(value), 0);
  const removed = lines
    .map((line) => /Rows Removed by Filter: (\d+)/.exec(line)?.[1])
    .filter(Boolean)
    .reduce((sum, value) => sum + Number(value), 0);
  return { indexes: [...indexes], seqScans: [...seqScans], executionMs, removed };
}

const KEY_LINE =
  /(Scan|Limit|Sort|Join|Nested Loop|Aggregate|Hash|Materialize|Append|Result|Function|Gather|Index Cond|Filter:|Rows Removed|Buffers:|Execution Time|Heap Blocks|Recheck|JIT|Timing:)/;

export function printPlan(title, lines, mode) {
  console.log(`\n  EXPLAIN (ANALYZE, BUFFERS) — ${title}`);
  for (const line of lines) {
    if (mode === 'full' || KEY_LINE.test(line)) {
      console.log(`    ${line.length > 170 ? `${line.slice(0, 167)}...` : line}`);
    }
  }
}
