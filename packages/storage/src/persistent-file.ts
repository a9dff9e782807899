import { randomUUID } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StorageError } from './errors.js';

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Returns the contents of `path`, creating it first with `create()` if it does not exist.
 *
 * The file is written to a temp name, fsynced, then hard-linked into place, so a crash never
 * leaves a half-written key behind and two processes starting at once agree on one value.
 *
 * @example
 * const secret = await readOrCreateFile('/data/secrets/jwt-secret', () => randomBytes(64).toString('base64url'), 0o600);
 */
export async function readOrCreateFile(path: string, create: () => string, mode: number): Promise<string> {
  const existing = await readExisting(path);
  if (existing !== undefined) return existing;

  const content = create();
  if (content.length === 0)
    throw new StorageError('SECRET_FILE_INVALID', `refusing to write an empty ${path}`);
  const temp = join(dirname(path), `.${randomUUID()}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    await fsyncPath(dirname(path), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  const winner = await readExisting(path);
  if (winner === undefined)
    throw new StorageError('SECRET_FILE_INVALID', `${path} vanished while being created`);
  return winner;
}

async function readExisting(path: string): Promise<string | undefined> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const trimmed = content.trim();
  if (trimmed === '')
    throw new StorageError('SECRET_FILE_INVALID', `${path} is empty; delete it to regenerate`);
  return trimmed;
}
