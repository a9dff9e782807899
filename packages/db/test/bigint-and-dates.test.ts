import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import { databases } from './fixtures.js';
import { insertDevice, insertMedia, insertUser } from './helper.js';

const FIVE_GB = 5 * 2 ** 30 + 7; // well past 2^32

describe.each(databases)('bigint and timestamptz values on $label', ({ it }) => {
  it('returns sizes above 2^32 as exact numbers', async ({ db }) => {
    const user = await insertUser(db);
    const inserted = await insertMedia(db, user.id, { size: FIVE_GB });
    expect(inserted.size).toBe(FIVE_GB);

    const read = await db
      .selectFrom('media')
      .select('size')
      .where('id', '=', inserted.id)
      .executeTakeFirstOrThrow();
    expect(typeof read.size).toBe('number');
    expect(read.size).toBe(FIVE_GB);

    const device = await insertDevice(db, user.id);
    const session = await db
      .insertInto('backup_sessions')
      .values({ user_id: user.id, device_id: device.id, expected_bytes: 3 * FIVE_GB, bytes: FIVE_GB })
      .returning(['expected_bytes', 'bytes'])
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ expected_bytes: 3 * FIVE_GB, bytes: FIVE_GB });
  });

  it('returns count(*) and sum() of bigint columns as numbers', async ({ db }) => {
    const user = await insertUser(db);
    await insertMedia(db, user.id, { size: FIVE_GB });
    await insertMedia(db, user.id, { size: FIVE_GB });
    const totals = await db
      .selectFrom('media')
      .where('user_id', '=', user.id)
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.sum<number>('size').as('bytes')])
      .executeTakeFirstOrThrow();
    expect(totals).toEqual({ files: 2, bytes: 2 * FIVE_GB });
  });

  it('round-trips timestamptz as an equal Date, whatever the session time zone', async ({ db }) => {
    const user = await insertUser(db);
    const takenAt = new Date('2024-03-10T08:15:30.123Z');
    const modifiedAt = new Date('1999-12-31T23:59:59.999Z');

    const inserted = await insertMedia(db, user.id, { taken_at: takenAt, modified_at: modifiedAt });
    expect(inserted.taken_at).toBeInstanceOf(Date);
    expect(inserted.taken_at.getTime()).toBe(takenAt.getTime());
    expect(inserted.modified_at?.getTime()).toBe(modifiedAt.getTime());

    await db.transaction().execute(async (trx) => {
      await sql`set local time zone 'Asia/Kolkata'`.execute(trx);
      const read = await trx
        .selectFrom('media')
        .select(['taken_at', 'modified_at'])
        .where('id', '=', inserted.id)
        .executeTakeFirstOrThrow();
      expect(read.taken_at.toISOString()).toBe('2024-03-10T08:15:30.123Z');
      expect(read.modified_at?.toISOString()).toBe('1999-12-31T23:59:59.999Z');

      const byInstant = await trx
        .selectFrom('media')
        .select('id')
        .where('taken_at', '=', takenAt)
        .where('user_id', '=', user.id)
        .execute();
      expect(byInstant).toEqual([{ id: inserted.id }]);
    });
  });

  it('fills uploaded_at from the database clock', async ({ db }) => {
    const user = await insertUser(db);
    const before = Date.now();
    const media = await insertMedia(db, user.id);
    expect(media.uploaded_at).toBeInstanceOf(Date);
    expect(Math.abs(media.uploaded_at.getTime() - before)).toBeLessThan(60_000);
  });
});
