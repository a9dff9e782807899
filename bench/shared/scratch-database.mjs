// A throwaway PostgreSQL database for a bench run, shared by the benches that start the server.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pg = createRequire(join(root, 'packages', 'db', 'package.json'))('pg');

/**
 * Creates `iclood_bench_<random>` on the server `url` names (which must be on this machine);
 * returns its URL and how to drop it.
 */
export async function createScratchDatabase(url) {
  if (!/^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost)[:/]/.test(url)) {
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
  return { url: scratch.toString(), drop: () => maintenance(`drop database if exists ${name} with (force)`) };
}
