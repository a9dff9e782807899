// The process entry (`node dist/launch.cjs`): sizes libuv's thread pool, then loads the server.
//
// Every file system call runs on that pool, and an upload's fdatasync (and each folder fsync)
// holds a thread for milliseconds: with Node's default of 4 threads, four uploads waiting for the
// disk stall everyone's writes, opens and links (bench/ingest: ~15 % more photos per second with
// 16). The pool starts at its first use and never grows, and Node reads an ES module entry through
// it, so the size must be set before any ES module loads: hence this small CommonJS file. An
// operator's own UV_THREADPOOL_SIZE is kept.
const DEFAULT_THREAD_POOL_SIZE = 16;

process.env.UV_THREADPOOL_SIZE ??= String(DEFAULT_THREAD_POOL_SIZE);
void import('./main.js');
