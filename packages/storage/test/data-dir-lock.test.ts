import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../src/index.js';
import { tempDir } from './helper.js';

describe('lockDataDir', () => {
  it('lets one server hold a data directory at a time, and frees it on release', async () => {
    const dir = await tempDir();
    const release = await lockDataDir(dir);
    expect(JSON.parse(await readFile(join(dir, 'iclood.lock'), 'utf8'))).toEqual({
      pid: process.pid,
      host: hostname(),
    });
    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await release();
    expect(existsSync(join(dir, 'iclood.lock'))).toBe(false);
    const again = await lockDataDir(dir);
    await again();
  });

  it('refuses while another live process holds it', async () => {
    const dir = await tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(join(dir, 'iclood.lock'), JSON.stringify({ pid: other.pid, host: hostname() }));
      await expect(lockDataDir(dir)).rejects.toMatchObject({
        code: 'DATA_DIR_LOCKED',
        message: expect.stringContaining(`pid ${other.pid}`),
      });
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that is gone, or by another host', async () => {
    const dir = await tempDir();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    for (const owner of [
      { pid: gone.pid, host: hostname() },
      { pid: 1, host: 'old-container-id' },
    ]) {
      await writeFile(join(dir, 'iclood.lock'), JSON.stringify(owner));
      const release = await lockDataDir(dir);
      expect(JSON.parse(await readFile(join(dir, 'iclood.lock'), 'utf8')).pid).toBe(process.pid);
      await release();
    }
  });
});
