import type { Writable } from 'node:stream';
import { listRestoreBatch, type RestoreBatch, type RestoreRow, type RestoreSelection } from '@iclood/db';
import { resolveInsideLibrary, writeZip, type ZipEntry, type ZipSkippedFile } from '@iclood/storage';
import type { App } from '../../types.js';
import { originalFileName } from './item-names.js';

/** Rows read from the database per round trip while the archive streams. */
const RESTORE_BATCH = 200;
/** Lines `MISSING.txt` lists at most; the rest are counted. Keeps a broken disk from costing memory. */
const MISSING_LIST_LIMIT = 10_000;

const REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  ENOTDIR: 'file not found',
  NOT_A_FILE: 'not a regular file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  PATH_OUTSIDE_LIBRARY: 'recorded path is outside the library',
};

/** What the archive could not include, listed for `MISSING.txt`. */
class MissingFiles {
  readonly lines: string[] = [];
  count = 0;

  add(row: RestoreRow, reason: string): void {
    this.count++;
    if (this.lines.length < MISSING_LIST_LIMIT) {
      this.lines.push(
        `${row.original_name}\ttaken ${row.taken_at.toISOString()}\tid ${row.id}\t${REASONS[reason] ?? reason}`,
      );
    }
  }

  report(): string {
    const more = this.count - this.lines.length;
    return [
      `${this.count} item(s) of your iClood library could not be read from the server's disk when this`,
      'archive was made, so they are not in it. Tell whoever runs the server: the disk may not be',
      'mounted, or the files were moved or removed by hand.',
      '',
      ...this.lines,
      ...(more > 0 ? [`… and ${more} more`] : []),
      '',
    ].join('\n');
  }
}

/**
 * The first batch of what a selection names, read before anything is sent, so an empty selection
 * can still be answered with an error status.
 */
export function firstRestoreBatch(
  app: App,
  query: { userId: string; selection: RestoreSelection },
): Promise<RestoreBatch> {
  return listRestoreBatch(app.db, { ...query, limit: RESTORE_BATCH });
}

/**
 * Writes the ZIP of a selection's originals to `destination` as it is made: rows are read a batch
 * at a time as the archive needs them, files opened one at a time as the client takes the bytes.
 * An original missing from the disk is left out and listed in a final `MISSING.txt`. Rejects with
 * `ERR_STREAM_PREMATURE_CLOSE` when the client goes away (the open file is closed first).
 *
 * @example
 * const first = await firstRestoreBatch(app, { userId, selection });
 * await writeRestoreArchive(app, reply.raw, { userId, selection, first });
 */
export function writeRestoreArchive(
  app: App,
  destination: Writable,
  query: { userId: string; selection: RestoreSelection; first: RestoreBatch },
): Promise<void> {
  const { userId, selection, first } = query;
  const missing = new MissingFiles();
  // Rows of the current batch by path, to name what the zip writer skipped.
  let byPath = new Map<string, RestoreRow>();

  async function* entries(): AsyncGenerator<ZipEntry> {
    let batch = first;
    for (;;) {
      byPath = new Map();
      for (const row of batch.items) {
        let path: string;
        try {
          path = resolveInsideLibrary(app.config.libraryDir, row.rel_path);
        } catch {
          missing.add(row, 'PATH_OUTSIDE_LIBRARY');
          continue;
        }
        byPath.set(path, row);
        yield {
          name: originalFileName(row),
          path,
          modifiedAt: row.taken_at,
          utcOffsetMinutes: row.taken_at_offset_minutes,
        };
      }
      if (!batch.nextCursor) break;
      batch = await listRestoreBatch(app.db, {
        userId,
        selection,
        limit: RESTORE_BATCH,
        after: batch.nextCursor,
      });
    }
    if (missing.count > 0) {
      app.log.warn({ userId, missing: missing.count }, 'restore archive: originals missing from the library');
      yield { name: 'MISSING.txt', data: missing.report(), modifiedAt: app.now() };
    }
  }

  return writeZip(destination, entries(), {
    onSkip: (skipped: ZipSkippedFile) => {
      const row = byPath.get(skipped.path);
      if (row) missing.add(row, skipped.reason);
    },
  });
}
