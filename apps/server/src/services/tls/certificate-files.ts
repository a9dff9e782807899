import { randomUUID } from 'node:crypto';
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The certificate files kept in `$ICLOOD_DATA_DIR/secrets`. Keys are PKCS#8 PEM, mode 0600. */
export const TLS_FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  leafCert: 'server.pem',
  leafKey: 'server-key.pem',
} as const;

export const PRIVATE_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

/**
 * Writes `content` to `path` so that a crash leaves either the old file or the new one, never a
 * torn one: temp file in the same folder, fsync, rename over, fsync the folder.
 */
export async function writeFileAtomically(path: string, content: string, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    // The umask may have narrowed the mode; a public certificate should stay readable.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A key file copied in by hand may be group/world-readable; narrow it back to the owner. */
export async function restrictToOwner(path: string): Promise<void> {
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, PRIVATE_FILE_MODE);
}
