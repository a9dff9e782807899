import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@iclood/db';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder, pngBytes, sha256Hex } from './helper.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'launch.cjs');

async function start(dataDir: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      ICLOOD_MDNS: 'false',
      ICLOOD_DATA_DIR: dataDir,
      ICLOOD_MIN_FREE_BYTES: '0',
      ICLOOD_ADMIN_USERNAME: 'owner',
      ICLOOD_ADMIN_PASSWORD: 'crash-test-password',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
}

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'owner', password: 'crash-test-password' }),
  });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('crash safety (kill -9 mid-upload)', () => {
  it('leaves no partial file, temp file or orphan row, and keeps every acknowledged upload intact', async () => {
    const root = await mkdtemp(join(tmpdir(), 'iclood-crash-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const first = await start(dataDir);
    const bearer = { authorization: `Bearer ${await token(first.url)}` };

    const acknowledged: Array<{ id: string; sha256: string }> = [];
    for (let i = 0; i < 5; i++) {
      const photo = pngBytes(1000 + i, 64);
      const response = await fetch(`${first.url}/api/v1/media/upload?filename=ok-${i}.png`, {
        method: 'POST',
        headers: bearer,
        body: photo,
      });
      expect(response.status).toBe(201);
      acknowledged.push({
        id: ((await response.json()) as { data: { id: string } }).data.id,
        sha256: sha256Hex(photo),
      });
    }

    // A 64 MiB upload that is cut by SIGKILL after ~8 MiB have arrived.
    const head = pngBytes(2000, 64);
    const inFlight = request(`${first.url}/api/v1/media/upload?filename=big.png`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'image/png', 'content-length': 64 * 1024 * 1024 },
    });
    inFlight.on('error', () => undefined);
    inFlight.write(head);
    for (let sent = head.length; sent < 8 * 1024 * 1024; sent += 1024 * 1024)
      inFlight.write(randomBytes(1024 * 1024));
    // It really is mid-upload once the server has its temp file.
    await expect
      .poll(
        async () =>
          (await filesUnder(join(dataDir, 'library', '.tmp'))).some((name) => name.endsWith('.part')),
        {
          timeout: 30_000,
          interval: 20,
        },
      )
      .toBe(true);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.on('exit', resolve));

    const second = await start(dataDir);
    try {
      expect(await filesUnder(join(dataDir, 'library', '.tmp'))).toEqual([]);
      const files = await filesUnder(join(dataDir, 'library'));
      expect(files.filter((f) => f.includes('big'))).toEqual([]);

      const again = { authorization: `Bearer ${await token(second.url)}` };
      const check = await fetch(`${second.url}/api/v1/media/check`, {
        method: 'POST',
        headers: { ...again, 'content-type': 'application/json' },
        body: JSON.stringify({ items: acknowledged.map((a) => ({ key: a.id, sha256: a.sha256 })) }),
      });
      const results = (
        (await check.json()) as { data: { results: Array<{ key: string; state: string; mediaId: string }> } }
      ).data.results;
      expect(results.every((r) => r.state === 'duplicate' && r.mediaId === r.key)).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.on('exit', resolve));
    }

    // With the server stopped, every row has its file and every file its row, hashes re-verified.
    const database = await openDatabase({ embeddedDir: join(dataDir, 'db') });
    try {
      const rows = await database.db.selectFrom('media').select(['rel_path', 'sha256']).execute();
      const files = (await filesUnder(join(dataDir, 'library'))).filter((f) => !f.startsWith('.tmp/'));
      expect(rows.map((r) => r.rel_path).sort()).toEqual(files);
      expect(rows).toHaveLength(acknowledged.length);
      for (const row of rows) {
        const bytes = await readFile(join(dataDir, 'library', row.rel_path));
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
        expect(acknowledged.map((a) => a.sha256)).toContain(row.sha256);
      }
    } finally {
      await database.close();
    }
  }, 120_000);
});
