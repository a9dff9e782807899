// A throwaway PostgreSQL database for a bench run, shared by the benches that start the server.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pg = createRequire(join(root, 'packages', 'db', 'package.json'))('pg');

/**
 * The `--pg-url` of a bench as a URL; exits (2) with a message unless it names a PostgreSQL on
 * this machine.
 */
export function localPostgresUrl(text, option = '--pg-url') {
  const url = new URL(text);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    console.error(`${option} must name a PostgreSQL on this machine (127.0.0.1), not ${url.hostname}`);
    process.exit(2);
  }
  return url;
}

/**
 * Creates `iclood_bench_<random>` on the server `url` names (which must be on this machine);
 * returns its name, its URL and how to drop it.
 */
export async function createScratchDatabase(url) {
  url = url.toString();
  if (!/^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
    throw new Error(`the bench database must be on 127.0.0.1 or localhost, not ${new URL(url).host}`);
  }
  const name = `iclood_bench_${randomBytes(6).toString('hex')}`;
  const maintenance = async (statement) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await maintenance(`create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    name,
    url: scratch.toString(),
    drop: () => maintenance(`drop database if exists ${name} with (force)`),
  };
}
