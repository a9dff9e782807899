import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from './errors.js';

/** Where everything lives on disk (DESIGN §2). All paths are absolute. */
export interface DataLayout {
  dataDir: string;
  /** Embedded PGlite database files. */
  dbDir: string;
  thumbsDir: string;
  /** Signing keys and certificates; mode 0700. */
  secretsDir: string;
  backupsDir: string;
  libraryDir: string;
  /** In-flight uploads, on the library's filesystem so a finished one is renamed, not copied. */
  libraryTmpDir: string;
}

export function dataLayout(dataDir: string, libraryDir: string): DataLayout {
  return {
    dataDir,
    dbDir: join(dataDir, 'db'),
    thumbsDir: join(dataDir, 'thumbs'),
    secretsDir: join(dataDir, 'secrets'),
    backupsDir: join(dataDir, 'backups'),
    libraryDir,
    libraryTmpDir: join(libraryDir, '.tmp'),
  };
}

/**
 * Creates the data and library folders if missing and checks they are writable, so a wrong
 * mount or permission shows up at start rather than at the first upload.
 *
 * @example
 * const layout = await prepareDataLayout('/data', '/library');
 */
export async function prepareDataLayout(dataDir: string, libraryDir: string): Promise<DataLayout> {
  const layout = dataLayout(dataDir, libraryDir);
  const folders: Array<[string, number]> = [
    [layout.dataDir, 0o755],
    [layout.dbDir, 0o700],
    [layout.thumbsDir, 0o755],
    [layout.secretsDir, 0o700],
    [layout.backupsDir, 0o700],
    [layout.libraryDir, 0o755],
    [layout.libraryTmpDir, 0o700],
  ];
  for (const [folder, mode] of folders) {
    try {
      await mkdir(folder, { recursive: true, mode });
      await access(folder, constants.W_OK | constants.X_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new StorageError('DATA_DIR_UNUSABLE', `${folder} cannot be created or written (${reason})`, {
        cause: error,
      });
    }
  }
  return layout;
}
