#!/usr/bin/env node
// `npm test` after the install: build, typecheck, lint and test every package through Turbo (and
// lint the benches and CI scripts, and check every file's formatting, at the root),
// then one summary of all Vitest results (".test-results/vitest.json" per package, restored by
// Turbo on cache hits) ending in the line "Tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(group, entry.name)),
);
for (const workspace of workspaces)
  rmSync(join(root, workspace, '.test-results'), { recursive: true, force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ICLOOD_MDNS: 'false' };
if (!env.TEST_DATABASE_URL) {
  console.log(
    'TEST_DATABASE_URL is not set: database tests run on embedded PGlite only (.ci/run adds PostgreSQL).',
  );
}
const turbo = spawnSync(
  'npx',
  [
    '--yes',
    'pnpm@10.34.8',
    'exec',
    'turbo',
    'run',
    'build',
    'typecheck',
    'lint',
    'lint:root',
    'test',
    '--continue',
  ],
  { cwd: root, env, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const byDatabase = { pglite: 0, postgres: 0 };
const rows = [];
const skippedTests = [];
const failedTests = [];
for (const workspace of workspaces) {
  const file = join(root, workspace, '.test-results', 'vitest.json');
  if (!existsSync(join(root, workspace, 'vitest.config.ts'))) continue;
  if (!existsSync(file)) {
    rows.push(`  ${workspace.padEnd(20)} no results (its tests did not run)`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const pending = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  skipped += pending;
  for (const suite of report.testResults) {
    for (const test of suite.assertionResults) {
      if (['skipped', 'pending', 'todo'].includes(test.status))
        skippedTests.push(`${workspace}: ${test.fullName}`);
      if (test.status === 'failed') {
        const reason = (test.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 200);
        failedTests.push(`${workspace}: ${test.fullName}\n      ${reason}`);
      }
      if (test.status !== 'passed') continue;
      // Database suites are named after their target: "… ('pglite')" / "… on 'postgres' …".
      if (/'pglite'/.test(test.fullName)) byDatabase.pglite += 1;
      if (/'postgres'/.test(test.fullName)) byDatabase.postgres += 1;
    }
  }
  rows.push(
    `  ${workspace.padEnd(20)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${pending} skipped`,
  );
}

console.log(`\nTest summary (Node ${process.versions.node})`);
for (const row of rows) console.log(row);
console.log(
  `  database-backed tests passed: ${byDatabase.pglite} on PGlite, ${byDatabase.postgres} on PostgreSQL`,
);
if (turbo.status !== 0)
  console.log(
    `  turbo exited with ${turbo.status ?? turbo.signal}: a build, typecheck, lint or test task failed`,
  );
if (turbo.status !== 0 && failed === 0) failed = 1;
// The failures are named again here, where a log cut to its last lines still shows them.
if (failedTests.length > 0) {
  console.log('\nFailed:');
  for (const name of failedTests) console.log(`  ${name}`);
}
// In CI every capability is provided (.ci/run installs ffmpeg and chromium, runs as root for the
// tmpfs disk-full tests and the network namespace, and sets ICLOOD_SLOW_TESTS), so a skipped test
// means a capability went missing: it fails the run unless it is allowed here, with the reason.
const ALLOWED_SKIPS_IN_CI = [
  // (none: every test runs in CI)
];
const strictSkips = process.env.CI === 'true' || process.env.ICLOOD_STRICT_SKIPS === '1';
const unexpectedSkips = skippedTests.filter(
  (name) => !ALLOWED_SKIPS_IN_CI.some((allowed) => allowed.test(name)),
);
if (unexpectedSkips.length > 0) {
  console.log(`\n${strictSkips ? 'Skipped, which CI does not allow' : 'Skipped (allowed outside CI)'}:`);
  for (const name of unexpectedSkips) console.log(`  ${name}`);
  if (strictSkips) {
    console.log('  A skip in CI means a capability the tests need is missing; provide it or list it above.');
    failed += unexpectedSkips.length;
  }
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
