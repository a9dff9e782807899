// The process entry (`node dist/launch.cjs`): sizes libuv's thread pool, fixes the heap's growing
// factor, then loads the server.
//
// Every file system call runs on that pool, and an upload's fdatasync (and each folder fsync)
// holds a thread for milliseconds: with Node's default of 4 threads, four uploads waiting for the
// disk stall everyone's writes, opens and links (bench/ingest: ~15 % more photos per second with
// 16). The pool starts at its first use and never grows, and Node reads an ES module entry through
// it, so the size must be set before any ES module loads: hence this small CommonJS file. An
// operator's own UV_THREADPOOL_SIZE is kept.
const DEFAULT_THREAD_POOL_SIZE = 16;
const DEFAULT_MALLOC_ARENAS = '2';

// glibc gives threads that allocate arenas of their own (up to 8 per core) and keeps each one at
// the size it grew to: after libvips' threads have made thumbnails, ~20 MB more stays resident
// for the life of the process (bench/memory on PostgreSQL, 300 photos: 178 MB after their
// thumbnails with glibc's default, 157 MB with 2 arenas). glibc reads MALLOC_ARENA_MAX only when a
// process starts, so where Node can replace its own process image (process.execve, Node 22.15 and
// later: what the Docker image runs) this file does so once, with it set, before anything else;
// the PID stays the same. An operator's own MALLOC_ARENA_MAX is kept; the image also sets it.
const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
  .execve;
if (
  process.platform === 'linux' &&
  process.env.MALLOC_ARENA_MAX === undefined &&
  typeof execve === 'function'
) {
  execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    MALLOC_ARENA_MAX: DEFAULT_MALLOC_ARENAS,
  });
}

process.env.UV_THREADPOOL_SIZE ??= String(DEFAULT_THREAD_POOL_SIZE);
// A fixed old-generation growing factor of 2 (V8 otherwise shrinks it while the collector is busy):
// a large upload allocates a 64 KiB buffer per socket read, and with a shrinking factor V8 could
// fall into a full collection every ~80 ms for the rest of the process (bench/ingest on the
// embedded database: a third of the runs, 1 GiB at ~500 instead of ~850 MiB/s). Read at every
// collection, so setting it here, before the server allocates anything, is enough.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('node:v8').setFlagsFromString('--heap-growing-percent=100');
// The young generation stays at its first size (1 MiB a semi-space) instead of doubling up to
// 16 MiB a semi-space while the modules load: ~30 MB less resident for the life of the process
// (bench/memory), for more frequent, smaller scavenges. Upload bodies are Buffers outside the JS
// heap, so they do not fill it. Read whenever the young generation would grow, so here is early
// enough (--max-semi-space-size would have to be on node's command line).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
void import('./main.js');
