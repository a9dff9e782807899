import { describe, expect } from 'vitest';

import { claimDueJobs, enqueueJob, type Database, type Job, type Kysely } from '../src/index.js';
import { databases } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe.each(databases)('claiming due jobs on $label', ({ it, ...target }) => {
  it.beforeEach(async ({ db }) => {
    await db.deleteFrom('jobs').execute();
  });

  async function queue(db: Kysely<Database>, kind: string, runAt: Date): Promise<Job> {
    return (await enqueueJob(db, { kind, runAt }))!;
  }

  it('takes due jobs of the given kinds, oldest first, up to the limit, and marks them running', async ({
    db,
  }) => {
    const second = await queue(db, 'thumbnail.generate', at(-5));
    const first = await queue(db, 'thumbnail.generate', at(-10));
    const third = await queue(db, 'trash.purge', at(0));
    await queue(db, 'thumbnail.generate', at(1)); // not due yet
    await queue(db, 'other.kind', at(-20)); // nobody here runs it

    const claimed = await claimDueJobs(db, {
      kinds: ['thumbnail.generate', 'trash.purge'],
      limit: 2,
      now: NOW,
    });
    expect(claimed.map((job) => job.id)).toEqual([first.id, second.id]);
    for (const job of claimed) {
      expect(job).toMatchObject({ status: 'running', attempts: 1, locked_at: NOW, updated_at: NOW });
    }

    const rest = await claimDueJobs(db, {
      kinds: ['thumbnail.generate', 'trash.purge'],
      limit: 10,
      now: NOW,
    });
    expect(rest.map((job) => job.id)).toEqual([third.id]);
    expect(await claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 10, now: NOW })).toEqual([]);

    // Time passes: the future job becomes due.
    expect(await claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 10, now: at(1) })).toHaveLength(1);
  });

  it('claims nothing for no kinds or no room', async ({ db }) => {
    await queue(db, 'thumbnail.generate', at(-1));
    expect(await claimDueJobs(db, { kinds: [], limit: 5, now: NOW })).toEqual([]);
    expect(await claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 0, now: NOW })).toEqual([]);
  });

  it('never hands one job to two claimers at once', async ({ db }) => {
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) ids.add((await queue(db, 'thumbnail.generate', at(-i))).id);

    if (target.kind === 'postgres') {
      // A claimer whose transaction is still open holds its rows; a second one skips them at
      // once instead of waiting, and takes the others.
      const seen = await db.transaction().execute(async (trx) => {
        const held = await claimDueJobs(trx, { kinds: ['thumbnail.generate'], limit: 3, now: NOW });
        const other = await claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 10, now: NOW });
        return [...held, ...other];
      });
      expect(seen.map((job) => job.id).sort()).toEqual([...ids].sort());
    } else {
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 2, now: NOW }),
        ),
      );
      const seen = results.flat().map((job) => job.id);
      expect(seen.sort()).toEqual([...ids].sort());
    }
  });
});
