// Starting and stopping the built iClood server (or another process) for a bench run: the
// environment it gets, the port it says it listens on, a stop that cannot hang.
import { clearTimeout, setTimeout } from 'node:timers';

/** The owner a bench server makes at its first start (ICLOOD_ADMIN_*), unless told otherwise. */
export const BENCH_OWNER = { username: 'bench', password: 'bench-password' };

/**
 * The whole environment of a bench's iClood server: nothing from the caller's (no DATABASE_URL or
 * ICLOOD_* leaks in) but PATH; 127.0.0.1 on a free port, mDNS off, warnings only, no free-space
 * floor, the owner made at its first start. The embedded PGlite unless `databaseUrl` is given; the
 * library in the data folder unless `libraryDir` is.
 *
 * @param {{ dataDir: string, libraryDir?: string, databaseUrl?: string | URL,
 *   username?: string, password?: string }} options
 */
export function serverEnv({
  dataDir,
  libraryDir,
  databaseUrl,
  username = BENCH_OWNER.username,
  password = BENCH_OWNER.password,
}) {
  return {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: '0',
    ICLOOD_MDNS: 'false',
    LOG_LEVEL: 'warn',
    ICLOOD_DATA_DIR: dataDir,
    ...(libraryDir ? { ICLOOD_LIBRARY_DIR: libraryDir } : {}),
    ICLOOD_MIN_FREE_BYTES: '0',
    ICLOOD_ADMIN_USERNAME: username,
    ICLOOD_ADMIN_PASSWORD: password,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl.toString() } : {}),
  };
}

/**
 * Resolves with the port once `child` prints `running at http://127.0.0.1:<port>` (as the iClood
 * server and the benches' reference servers do); rejects with what it printed if it exits first.
 *
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<number>}
 */
export function listeningPort(child, name = 'the server') {
  let output = '';
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /running at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${output}`)));
  });
}

/** SIGTERM, then SIGKILL if `child` is still running after `graceMs`; resolves once it has exited. */
export async function stopProcess(child, graceMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const done = await Promise.race([exited.then(() => true), late]);
  clearTimeout(timer);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Signs in over the API (`POST /api/v1/auth/login`) and returns the bearer token. */
export async function logInToken(origin, { username, password } = BENCH_OWNER) {
  const login = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`POST /api/v1/auth/login answered ${login.status}: ${await login.text()}`);
  return (await login.json()).data.token;
}
