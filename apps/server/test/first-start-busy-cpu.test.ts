import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { exitOf, startServer } from './built-server.js';

// One CPU, shared with a process that never yields it: the server gets about half of a core, as on
// a Pi that is also indexing or a NAS that is scrubbing. (`nice` would only lower the server.)
const ONE_CPU = ['taskset', '-c', '0'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('starts for the first time on an empty data directory with one busy CPU, and says it is creating the database', async () => {
  const busy = spawn(ONE_CPU[0]!, [...ONE_CPU.slice(1), process.execPath, '-e', 'for (;;) {}'], {
    stdio: 'ignore',
  });
  cleanups.push(async () => {
    busy.kill('SIGKILL');
    await exitOf(busy);
  });
  const root = await mkdtemp(join(tmpdir(), 'iclood-first-start-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));

  // Generous: the point is that the server itself sets no limit, however long creation takes.
  const server = await startServer(
    { ICLOOD_DATA_DIR: join(root, 'data') },
    { wrapper: ONE_CPU, startTimeoutMs: 270_000 },
  );
  cleanups.push(async () => {
    server.child.kill('SIGKILL');
    await exitOf(server.child);
  });

  expect((await fetch(`${server.url}/api/v1/ping`)).status).toBe(200);
  const messages = server
    .output()
    .split('\n')
    .flatMap((line) => (line.startsWith('{') ? [(JSON.parse(line) as { msg: string }).msg] : []));
  const creating = messages.findIndex((msg) => msg.startsWith('creating the embedded database'));
  const created = messages.findIndex((msg) => /^embedded database created in \d+(\.\d)? s$/.test(msg));
  expect(creating).toBeGreaterThanOrEqual(0);
  expect(created).toBeGreaterThan(creating);
}, 300_000);
