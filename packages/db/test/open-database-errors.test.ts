import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { DbError, openDatabase } from '../src/index.js';

async function openFailure(options: Parameters<typeof openDatabase>[0]): Promise<DbError> {
  const err = await openDatabase(options).then(
    async (handle) => {
      await handle.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  return err as DbError;
}

describe('openDatabase failures', () => {
  it('reports an unreachable PostgreSQL as DATABASE_UNAVAILABLE without the password', async () => {
    const err = await openFailure({ url: 'postgres://u:secretpw@127.0.0.1:1/x', connectTimeoutMs: 5_000 });
    expect(err.code).toBe('DATABASE_UNAVAILABLE');
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain('secretpw');
    // Nothing reachable from the error (cause, stack, properties) may carry the password either.
    expect(inspect(err, { depth: 10 })).not.toContain('secretpw');
  });

  it('does not echo a URL it cannot parse', async () => {
    const err = await openFailure({ url: 'postgres://u:secret pw@[bad host/x' });
    expect(err.code).toBe('DATABASE_UNAVAILABLE');
    expect(inspect(err, { depth: 10 })).not.toContain('secret');
  });

  it('refuses a URL that is not postgres://', async () => {
    const err = await openFailure({ url: 'mysql://u:secretpw@127.0.0.1/x' });
    expect(err.code).toBe('DATABASE_UNAVAILABLE');
    expect(err.message).toContain('postgres://');
    expect(inspect(err, { depth: 10 })).not.toContain('secretpw');
  });

  it('reports an embedded directory that cannot be created as DATABASE_UNAVAILABLE', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'iclood-db-'));
    try {
      const file = join(parent, 'not-a-directory');
      await writeFile(file, 'x');
      const err = await openFailure({ embeddedDir: join(file, 'db') });
      expect(err.code).toBe('DATABASE_UNAVAILABLE');
      expect(err.message).toContain(join(file, 'db'));
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
