import { describe, expect, it } from 'vitest';

import { checkDatabaseHealth } from '../src/index.js';
import { targets } from './helper.js';

describe.each(targets)('database health on $label', (target) => {
  it('is healthy while open and unhealthy, without throwing, once closed', async () => {
    const database = await target.create({ migrate: false });
    try {
      const healthy = await checkDatabaseHealth(database.db);
      expect(healthy.healthy).toBe(true);
      expect(healthy.error).toBeUndefined();
      expect(healthy.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await database.destroy();
    }

    const closed = await checkDatabaseHealth(database.db);
    expect(closed.healthy).toBe(false);
    expect(closed.error).toEqual(expect.any(String));
  });

  it('is unhealthy after a close that came before any query', async () => {
    const database = await target.create({ migrate: false });
    await database.close();
    const closed = await checkDatabaseHealth(database.db);
    expect(closed.healthy).toBe(false);
    await database.destroy();
  });
});
