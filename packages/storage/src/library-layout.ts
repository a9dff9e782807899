import { readdir, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { StorageError } from './errors.js';
import { sanitizeFolderName } from './file-names.js';

/** The folder of in-flight uploads and placement intents, relative to the library. */
export const LIBRARY_TMP_DIR = '.tmp';

/**
 * The folder, relative to the library, where a user's item taken in a given local month goes:
 * `<library folder>/<YYYY>/<MM>` (DESIGN §2). `libraryFolder` is the folder stored with the user,
 * chosen once when the user was made; it must already be one safe path segment, never a name
 * that sanitising would change, so two users can never be folded into one folder here.
 *
 * @throws StorageError `INVALID_NAME` when `libraryFolder` is not a safe folder name as it is
 * @throws RangeError for a year outside 1–9999 or a month outside 1–12
 * @example
 * libraryRelativeDir('alice', { year: 2024, month: 5 }); // 'alice/2024/05'
 */
export function libraryRelativeDir(libraryFolder: string, taken: { year: number; month: number }): string {
  if (sanitizeFolderName(libraryFolder) !== libraryFolder)
    throw new StorageError(
      'INVALID_NAME',
      `${JSON.stringify(libraryFolder)} is not a safe library folder name`,
    );
  const { year, month } = taken;
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12)
    throw new RangeError(`month out of range: ${month}`);
  return `${libraryFolder}/${String(year).padStart(4, '0')}/${String(month).padStart(2, '0')}`;
}

/**
 * The names at the top of the library, lower-cased: a new user is never given one of them, so
 * a folder left by a removed user (or anything else kept there) is not shared with a newcomer,
 * even on a disk that ignores letter case. An absent library has none.
 */
export async function existingLibraryFolders(libraryDir: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(libraryDir)).map((name) => name.toLowerCase()));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}

function outside(relPath: string, why: string): StorageError {
  return new StorageError(
    'PATH_OUTSIDE_LIBRARY',
    `${JSON.stringify(relPath)} is not inside the library (${why})`,
  );
}

function isStrictlyInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The absolute path of `relPath` inside `libraryDir`, for every read and write of the library.
 * Refuses absolute paths, `..` segments, NUL bytes, and anything that does not resolve strictly
 * inside the library (the library folder itself included).
 *
 * @throws StorageError `PATH_OUTSIDE_LIBRARY`
 * @example
 * resolveInsideLibrary('/library', 'alice/2024/05/IMG_0001.HEIC'); // '/library/alice/2024/05/IMG_0001.HEIC'
 * resolveInsideLibrary('/library', '../etc/passwd'); // throws
 */
export function resolveInsideLibrary(libraryDir: string, relPath: string): string {
  if (relPath.includes('\0')) throw outside(relPath, 'NUL byte');
  if (isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath) || relPath.startsWith('\\'))
    throw outside(relPath, 'absolute');
  if (relPath.split(/[/\\]/).includes('..')) throw outside(relPath, '".." segment');
  const root = resolve(libraryDir);
  const absolute = resolve(root, relPath);
  if (!isStrictlyInside(root, absolute)) throw outside(relPath, 'resolves outside');
  return absolute;
}

/**
 * Checks that an existing folder inside the library is still inside it once symlinks are
 * followed, so a link planted in the library cannot redirect a write elsewhere.
 *
 * @throws StorageError `PATH_OUTSIDE_LIBRARY`
 */
export async function assertRealPathInsideLibrary(libraryDir: string, absoluteDir: string): Promise<void> {
  const [realRoot, realDir] = await Promise.all([realpath(libraryDir), realpath(absoluteDir)]);
  if (!isStrictlyInside(realRoot, realDir)) {
    throw outside(relative(libraryDir, absoluteDir), `symlink to ${realDir}`);
  }
}
