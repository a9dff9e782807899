import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

/**
 * A fresh embedded database made once, when this package is built (scripts/build-embedded-template.mjs:
 * PGlite's initdb, in memory, dumped with `dumpDataDir('gzip')`), and copied into place on a first
 * start instead of running initdb there. PGlite's initdb runs a second postgres beside the first
 * and copies its whole WASM heap between steps: ~600 MB more at the first start's peak, most of it
 * kept until the collector gets to it, and a minute or more on a busy Pi.
 *
 * From `dist/` and from `src/` (the tests) alike, the file sits in `dist/`.
 */
export const EMBEDDED_TEMPLATE = fileURLToPath(new URL('../dist/embedded-template.tar.gz', import.meta.url));

/** Whether the package was built with its template (`tsc` alone does not make it). */
export function embeddedTemplateAvailable(): boolean {
  return existsSync(EMBEDDED_TEMPLATE);
}

const BLOCK = 512;

/** The fields of a ustar header this needs; `undefined` for the zero block that ends an archive. */
function parseHeader(block: Buffer): { name: string; size: number; type: string; mode: number } | undefined {
  if (block.every((byte) => byte === 0)) return undefined;
  const text = (from: number, length: number): string => {
    const field = block.subarray(from, from + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString('utf8');
  };
  const octal = (from: number, length: number): number => parseInt(text(from, length).trim() || '0', 8);
  const prefix = text(345, 155);
  const name = text(0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    size: octal(124, 12),
    type: text(156, 1) || '0',
    mode: octal(100, 8) & 0o777,
  };
}

/**
 * Writes the archive's folders and files below `targetDir`, each file flushed to the disk and each
 * folder flushed once its entries are in. Streams: one archive block in memory at a time.
 */
async function extractFlushed(archive: string, targetDir: string): Promise<void> {
  const folders = new Set<string>([targetDir]);
  const inside = (name: string): string => {
    const path = normalize(join(targetDir, name));
    if (path !== targetDir && !path.startsWith(targetDir + sep))
      throw new Error(`template entry outside: ${name}`);
    return path;
  };
  let pending: Buffer = Buffer.alloc(0);
  let file: { handle: Awaited<ReturnType<typeof open>>; left: number; padding: number } | undefined;
  let skip = 0;
  let ended = false;
  const stream = createReadStream(archive).pipe(createGunzip());
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (!ended) {
      if (file) {
        const take = Math.min(file.left, pending.length);
        if (take > 0) await file.handle.write(pending.subarray(0, take));
        pending = pending.subarray(take);
        file.left -= take;
        if (file.left > 0) break;
        await file.handle.sync();
        await file.handle.close();
        skip = file.padding;
        file = undefined;
      }
      if (skip > 0) {
        const take = Math.min(skip, pending.length);
        pending = pending.subarray(take);
        skip -= take;
        if (skip > 0) break;
      }
      if (pending.length < BLOCK) break;
      const header = parseHeader(pending.subarray(0, BLOCK));
      pending = pending.subarray(BLOCK);
      if (!header) {
        ended = true;
        break;
      }
      const path = inside(header.name);
      if (header.type === '5') {
        await mkdir(path, { recursive: true, mode: header.mode || 0o700 });
        folders.add(path);
      } else if (header.type === '0') {
        await mkdir(dirname(path), { recursive: true });
        const handle = await open(path, 'w', header.mode || 0o600);
        file = { handle, left: header.size, padding: (BLOCK - (header.size % BLOCK)) % BLOCK };
      } else {
        throw new Error(`template entry ${header.name} is of tar type ${header.type}, not a file or folder`);
      }
    }
  }
  if (file || !ended) throw new Error('the embedded database template ends early');
  // Deepest first, so each folder's own entry in its parent is flushed after it.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) await syncPath(folder);
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Puts a fresh database in `embeddedDir` (which must not exist, or be empty) from the template:
 * written and flushed in a sibling folder first, then renamed into place, so a power cut leaves
 * either no database (the next start copies again) or a whole one — never a `PG_VERSION` beside
 * half the files, which PGlite would take for a database.
 *
 * @example
 * if (!(await embeddedDatabaseExists(dir))) await createEmbeddedFromTemplate(dir);
 */
export async function createEmbeddedFromTemplate(embeddedDir: string): Promise<void> {
  const staging = join(dirname(embeddedDir), `.${basename(embeddedDir)}.creating`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    await extractFlushed(EMBEDDED_TEMPLATE, staging);
    const existing = await readdir(embeddedDir).catch(() => undefined);
    if (existing !== undefined) {
      if (existing.length > 0) {
        throw new Error(`${embeddedDir} holds files but no database (no PG_VERSION); move them away`);
      }
      await rmdir(embeddedDir);
    }
    await rename(staging, embeddedDir);
    await syncPath(dirname(embeddedDir));
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
