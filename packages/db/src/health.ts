import { sql, type Kysely } from 'kysely';

import type { Database } from './schema.js';

export interface DatabaseHealth {
  healthy: boolean;
  latencyMs: number;
  error?: string;
}

/**
 * Round-trips `select 1`. Never throws: a failure or a timeout is reported as `healthy: false`
 * with the driver's message, for status pages and probes.
 */
export async function checkDatabaseHealth(
  db: Kysely<Database>,
  options: { timeoutMs?: number } = {},
): Promise<DatabaseHealth> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return { healthy: true, latencyMs: elapsed() };
  } catch (err) {
    return { healthy: false, latencyMs: elapsed(), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
