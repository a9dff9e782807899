import { describe, expect } from 'vitest';

import { claimDueJobs, completeJob, countJobsByStatus, enqueueJob, failJob } from '../src/index.js';
import { databases } from './fixtures.js';
import { planWithoutSeqScan, recordQueries } from './helper.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');

describe.each(databases)('counting the job queue on $label', ({ it }) => {
  it('reports every state, zero when empty, and leaves completed jobs out of the scan', async ({ db }) => {
    expect(await countJobsByStatus(db)).toEqual({ pending: 0, running: 0, failed: 0 });

    for (let i = 0; i < 7; i++) await enqueueJob(db, { kind: 'count.me', runAt: NOW });
    const [a, b, c] = await claimDueJobs(db, { kinds: ['count.me'], limit: 3, now: NOW });
    await completeJob(db, { id: a!.id, now: NOW });
    await failJob(db, { id: b!.id, now: NOW, error: 'broken' });
    expect(c).toBeDefined();

    const recorded = recordQueries(db);
    expect(await countJobsByStatus(recorded.db)).toEqual({ pending: 4, running: 1, failed: 1 });
    expect(recorded.queries).toHaveLength(1);
    expect(await planWithoutSeqScan(db, recorded.queries[0]!)).toMatch(/jobs_status_idx/);
  });
});
