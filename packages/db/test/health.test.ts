import { describe, expect } from 'vitest';

import { checkDatabaseHealth } from '../src/index.js';
import { scratchTargets } from './fixtures.js';

describe.each(scratchTargets)('database health on $label', ({ it }) => {
  it('is healthy while open and unhealthy, without throwing, once closed', async ({ createDatabase }) => {
    const database = await createDatabase({ migrate: false });
    const healthy = await checkDatabaseHealth(database.db);
    expect(healthy.healthy).toBe(true);
    expect(healthy.error).toBeUndefined();
    expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);
    await database.destroy();

    const closed = await checkDatabaseHealth(database.db);
    expect(closed.healthy).toBe(false);
    expect(closed.error).toEqual(expect.any(String));
  });

  it('is unhealthy after a close that came before any query', async ({ createDatabase }) => {
    const database = await createDatabase({ migrate: false });
    await database.close();
    const closed = await checkDatabaseHealth(database.db);
    expect(closed.healthy).toBe(false);
  });
});
