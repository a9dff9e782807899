import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepLibrary } from '../src/index.js';
import { listDir, tempDir } from './helper.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const builtEntry = join(packageDir, 'dist', 'index.js');

/** The child runs the built package: a crash has to happen in a real process, then be killed -9. */
const CHILD = `
import { commitToLibrary, receiveToTemp } from ${JSON.stringify(builtEntry)};
const [libraryDir, phase] = process.argv.slice(1);
const tmpDir = libraryDir + '/.tmp';
if (phase === 'receiving') {
  async function* endless() {
    for (let i = 0; ; i++) {
      if (i === 64) console.log('receiving');
      yield Buffer.alloc(64 * 1024, i);
    }
  }
  await receiveToTemp(endless(), { tmpDir });
} else {
  const upload = await receiveToTemp((async function* () { yield Buffer.from('the photo bytes'); })(), { tmpDir });
  const placement = await commitToLibrary({ tempPath: upload.tempPath, libraryDir, relDir: 'alice/2024/05', fileName: 'IMG_0001.HEIC' });
  console.log(placement.relPath);
  setInterval(() => {}, 1000); // the database insert that never finishes
}
`;

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs));
}

/** Starts a child at `phase`, waits for its first line, kills it with SIGKILL, returns that line. */
async function crashAt(libraryDir: string, phase: 'receiving' | 'placed'): Promise<string> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, libraryDir, phase], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim()));
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return line;
}

describe('crash recovery with real processes killed -9', () => {
  beforeAll(() => {
    // Turbo builds before testing; a direct `vitest run` may find dist missing or stale.
    if (!existsSync(builtEntry) || newestMtime(join(packageDir, 'src')) > statSync(builtEntry).mtimeMs) {
      const build = spawnSync(
        join(packageDir, 'node_modules', '.bin', 'tsc'),
        ['-p', 'tsconfig.build.json'],
        { cwd: packageDir },
      );
      if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    }
  });

  it('a kill mid-upload leaves only a .part file, which the sweep removes', async () => {
    const libraryDir = await tempDir();
    await mkdir(join(libraryDir, '.tmp'));
    expect(await crashAt(libraryDir, 'receiving')).toBe('receiving');
    const left = await readdir(join(libraryDir, '.tmp'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.part$/);

    const result = await sweepLibrary({ libraryDir, isRecorded: async () => new Set() });
    expect(result).toMatchObject({ removedTempFiles: 1, removedOrphans: 0 });
    expect(await listDir(libraryDir)).toEqual(['.tmp']);
    expect(await listDir(join(libraryDir, '.tmp'))).toEqual([]);
  });

  it('a kill between placing and the database commit: the sweep removes the unacknowledged file', async () => {
    const libraryDir = await tempDir();
    await mkdir(join(libraryDir, '.tmp'));
    const relPath = await crashAt(libraryDir, 'placed');
    expect(relPath).toBe('alice/2024/05/IMG_0001.HEIC');
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual(['IMG_0001.HEIC']);

    const result = await sweepLibrary({ libraryDir, isRecorded: async () => new Set() });
    expect(result).toEqual({ removedTempFiles: 0, removedOrphans: 1, keptConfirmed: 0, ignoredIntents: 0 });
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual([]);
    expect(await listDir(join(libraryDir, '.tmp'))).toEqual([]);
  });

  it('a kill after the database commit but before confirm: the sweep keeps the file intact', async () => {
    const libraryDir = await tempDir();
    await mkdir(join(libraryDir, '.tmp'));
    const relPath = await crashAt(libraryDir, 'placed');
    const result = await sweepLibrary({
      libraryDir,
      isRecorded: async (paths) => new Set(paths.filter((p) => p === relPath)),
    });
    expect(result).toEqual({ removedTempFiles: 0, removedOrphans: 0, keptConfirmed: 1, ignoredIntents: 0 });
    const bytes = await readFile(join(libraryDir, relPath));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update('the photo bytes').digest('hex'),
    );
    expect(await listDir(join(libraryDir, '.tmp'))).toEqual([]);
  });
});
