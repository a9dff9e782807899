// What every long benchmark here needs so that it never leaves anything behind: a list of undo
// steps run last-first exactly once (at the end, on failure, on Ctrl-C or SIGTERM, or when the
// whole run overruns its time), and phases that fail when they overrun their own cap.
//
//   const { cleanups, cleanUp, phase } = guardRun({ maxMinutes: 12, log });
//   cleanups.push(() => rm(dir, { recursive: true, force: true }));
//   const server = await phase('start the server', 2 * 60_000, () => startServer(dir));
//   …
//   await cleanUp();
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';

/**
 * @param {{ maxMinutes: number, log: (line: string) => void }} options
 * @returns {{ cleanups: Array<() => unknown>, cleanUp: () => Promise<void>,
 *   phase: <T>(name: string, capMs: number, work: () => Promise<T>) => Promise<T> }}
 */
export function guardRun({ maxMinutes, log }) {
  const cleanups = [];
  let cleaning;
  /** Undoes what the run made, last first; one pass however many callers (signal, failure, end). */
  function cleanUp() {
    cleaning ??= (async () => {
      while (cleanups.length > 0) {
        const step = cleanups.pop();
        try {
          await step();
        } catch (error) {
          console.error(`cleanup: ${error.message}`);
        }
      }
    })();
    return cleaning;
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`\nGave up after --max-minutes ${maxMinutes}: cleaning up`);
    void cleanUp().finally(() => process.exit(3));
  }, maxMinutes * 60_000).unref();

  /** One phase of the run; it fails (and the run cleans up) if it takes longer than `capMs`. */
  async function phase(name, capMs, work) {
    const started = performance.now();
    let timer;
    const cap = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name}: over its cap of ${capMs / 1000} s`)), capMs);
    });
    try {
      return await Promise.race([work(), cap]);
    } finally {
      clearTimeout(timer);
      log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  return { cleanups, cleanUp, phase };
}
