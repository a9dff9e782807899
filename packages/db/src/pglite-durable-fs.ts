import { closeSync, fsyncSync, openSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * Embedded PGlite as it ships is not crash-safe against a power cut: it starts postgres with
 * `-F` (fsync off), and Emscripten's Node filesystem (NODEFS) has no fsync, so a committed row
 * is only in the page cache, and a checkpoint can leave data files that no WAL can repair. On a
 * Raspberry Pi that is unplugged now and then, that is the embedded database lost, not one row.
 *
 * This gives NODEFS an fsync that reaches the disk (files: their descriptor; folders: opened for
 * the call) and starts postgres without `-F` and with `wal_sync_method=fsync` (Emscripten's
 * fdatasync does nothing), so WAL is flushed at every commit and data files at every checkpoint,
 * as on a normal PostgreSQL. The flushes run synchronously inside the WASM call, so a commit
 * holds the event loop for one fsync of the WAL.
 */

/**
 * Embedded postgres' shared buffers. Postgres writes over all of them when it starts, so inside
 * PGlite's WASM heap every megabyte of `shared_buffers` is a megabyte of the process's resident
 * memory from the first second (PGlite's initdb picks 128 MB: ~290 MB RSS for PGlite alone, against
 * ~170 MB with 16 MB). A page that is not in them is read from the host's page cache, which the
 * kernel can give back when the Pi needs it.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** PGlite's postgres flags with iClood's memory settings, for an in-memory database. */
export function embeddedStartParams(): string[] {
  return [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
}

/**
 * {@link embeddedStartParams} less `-F` (fsync off), and with WAL flushed by fsync: Emscripten's
 * fdatasync is an empty stub, its fsync reaches the filesystem's stream operations.
 */
export function durableStartParams(): string[] {
  return [...embeddedStartParams().filter((param) => param !== '-F'), '-c', 'wal_sync_method=fsync'];
}

/** The parts of an Emscripten NODEFS stream this needs. */
interface NodefsStream {
  nfd?: number;
  node: unknown;
}

interface NodefsType {
  stream_ops?: { fsync?: (stream: NodefsStream) => number | undefined };
  realPath?: (node: unknown) => string;
}

/** Counts the fsyncs made through NODEFS, for tests. */
export const durableFsStats = { fsyncs: 0 };

/**
 * Gives NODEFS streams an fsync. Returns false (and changes nothing) when this Emscripten build
 * does not look as expected, so a PGlite upgrade fails loudly in the tests rather than quietly.
 */
export function enableNodefsFsync(nodefs: unknown): boolean {
  const type = nodefs as NodefsType;
  const ops = type.stream_ops;
  const realPath = type.realPath;
  if (ops === undefined || typeof realPath !== 'function') return false;
  ops.fsync = (stream) => {
    if (typeof stream.nfd === 'number') {
      fsyncSync(stream.nfd);
    } else {
      // Folders are opened without a host descriptor; postgres syncs them after creating files.
      const fd = openSync(realPath(stream.node), 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    durableFsStats.fsyncs += 1;
    return 0;
  };
  return true;
}

/** PGlite's NodeFS, with {@link enableNodefsFsync} applied before postgres starts. */
export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]): ReturnType<NodeFS['init']> {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    result.emscriptenOpts.preRun = [
      (mod) => {
        if (!enableNodefsFsync(mod.NODEFS)) {
          throw new Error('this PGlite build has no NODEFS stream operations to give an fsync');
        }
      },
      ...preRun,
    ];
    return result;
  }
}
