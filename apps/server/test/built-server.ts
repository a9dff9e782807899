import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path the README's run command takes: the built server's process entry. */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'launch.cjs');

export interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

export interface StartServerOptions {
  /** A command that runs the server, e.g. `['taskset', '-c', '0']`; it must exec it (same pid). */
  wrapper?: string[];
  /** How long to wait for the "running at" line. Default 30 s. */
  startTimeoutMs?: number;
}

/** Spawns the built server on a free port of 127.0.0.1 and resolves once it says where it runs. */
export function startServer(
  env: Record<string, string>,
  { wrapper = [], startTimeoutMs = 120_000 }: StartServerOptions = {},
): Promise<RunningServer> {
  const [command, ...args] = [...wrapper, process.execPath, MAIN];
  const child = spawn(command!, args, {
    // Only what the server needs: no inherited DATABASE_URL or ICLOOD_* from the developer's shell.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ICLOOD_MDNS: 'false', ...env },
    cwd: env.ICLOOD_DATA_DIR ? dirname(env.ICLOOD_DATA_DIR) : undefined,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), startTimeoutMs);
    child.stdout.on('data', () => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
