import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, MAIN, startServer } from './built-server.js';
import { databaseTargets } from './helper.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDataDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'iclood-process-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return join(root, 'data');
}

describe('the built server as a process', () => {
  it('has been built', () => {
    expect(existsSync(MAIN)).toBe(true);
  });

  it('runs libuv with 16 threads (the fsync-heavy upload path), or as many as UV_THREADPOOL_SIZE says', async () => {
    // Linux: one /proc/<pid>/task entry per thread. The two processes differ only in the pool.
    const threadsOf = async (env: Record<string, string>) => {
      const server = await startServer({ ICLOOD_DATA_DIR: await tempDataDir(), ...env });
      cleanups.push(async () => void server.child.kill('SIGKILL'));
      expect((await fetch(`${server.url}/api/v1/ping`)).status).toBe(200);
      return (await readdir(`/proc/${server.child.pid}/task`)).length;
    };
    const sized = await threadsOf({});
    const operatorsChoice = await threadsOf({ UV_THREADPOOL_SIZE: '4' });
    expect(sized - operatorsChoice).toBe(16 - 4);
    // Two first starts, each creating an embedded database: well over 30 s on a busy machine.
  }, 120_000);

  it('runs with 2 malloc arenas where Node can replace its process image, or as many as MALLOC_ARENA_MAX says', async () => {
    // The environment the kernel started the process image with; the pid is the one spawned.
    const arenasOf = async (env: Record<string, string>) => {
      const server = await startServer({ ICLOOD_DATA_DIR: await tempDataDir(), ...env });
      cleanups.push(async () => void server.child.kill('SIGKILL'));
      expect((await fetch(`${server.url}/api/v1/ping`)).status).toBe(200);
      const environ = (await readFile(`/proc/${server.child.pid}/environ`, 'utf8')).split('\0');
      return environ
        .find((entry) => entry.startsWith('MALLOC_ARENA_MAX='))
        ?.slice('MALLOC_ARENA_MAX='.length);
    };
    // process.execve came in Node 22.15; the Node 20 the README allows runs with glibc's default.
    const canReplaceImage = typeof (process as { execve?: unknown }).execve === 'function';
    expect(await arenasOf({})).toBe(canReplaceImage ? '2' : undefined);
    expect(await arenasOf({ MALLOC_ARENA_MAX: '4' })).toBe('4');
  }, 120_000);

  it('starts on the embedded database, answers /api/v1/ping, and stops cleanly on SIGTERM', async () => {
    const dataDir = await tempDataDir();
    const server = await startServer({ ICLOOD_DATA_DIR: dataDir });
    cleanups.push(async () => void server.child.kill('SIGKILL'));

    const ping = await fetch(`${server.url}/api/v1/ping`);
    expect(ping.status).toBe(200);
    const body = (await ping.json()) as { data: { serverId: string } };
    expect(body).toMatchObject({ status: 'success', data: { name: 'iClood' } });
    expect(body.data.serverId).toBe((await readFile(join(dataDir, 'server-id'), 'utf8')).trim());
    expect(server.output()).toContain('Open it to create the owner account.');
    expect(existsSync(join(dataDir, 'db'))).toBe(true);

    server.child.kill('SIGTERM');
    expect(await exitOf(server.child)).toBe(0);
    expect(server.output()).toContain('shutting down');
  });

  it.runIf(databaseTargets.some((t) => t.kind === 'postgres'))(
    'runs on PostgreSQL when DATABASE_URL is set',
    async () => {
      const target = databaseTargets.find((t) => t.kind === 'postgres')!;
      const database = await target.create();
      cleanups.push(() => database.destroy());
      const server = await startServer({
        ICLOOD_DATA_DIR: await tempDataDir(),
        DATABASE_URL: database.url!,
        ICLOOD_ADMIN_USERNAME: 'admin',
        ICLOOD_ADMIN_PASSWORD: 'process-test-password',
      });
      cleanups.push(async () => void server.child.kill('SIGKILL'));

      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'process-test-password' }),
      });
      expect(login.status).toBe(200);
      const { token } = ((await login.json()) as { data: { token: string } }).data;
      const status = await fetch(`${server.url}/api/v1/system/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await status.json()) as { data: { database: unknown } }).data.database).toMatchObject({
        kind: 'postgres',
        healthy: true,
      });
      expect(server.output()).not.toContain('process-test-password');

      server.child.kill('SIGINT');
      expect(await exitOf(server.child)).toBe(0);
    },
  );

  it('refuses to start on invalid configuration with one line naming the variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: 'eighty',
        ICLOOD_MDNS: 'false',
        ICLOOD_DATA_DIR: await tempDataDir(),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await exitOf(child)).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "eighty")',
    ]);
  });

  it('refuses to start when PostgreSQL is unreachable, without printing the password', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        ICLOOD_MDNS: 'false',
        ICLOOD_DATA_DIR: await tempDataDir(),
        DATABASE_URL: 'postgres://iclood:pw-never-shown@127.0.0.1:1/iclood',
      },
    });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => (output += chunk));
    expect(await exitOf(child)).toBe(1);
    expect(output).toContain('iClood could not start');
    expect(output).not.toContain('pw-never-shown');
  });
});
