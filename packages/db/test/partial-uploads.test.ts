import { describe, expect } from 'vitest';

import {
  advancePartialUpload,
  createPartialUpload,
  deleteExpiredPartialUploads,
  findPartialUpload,
  partialUploadUsage,
  recordedPartialUploadIds,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const HOUR_MS = 3_600_000;
const at = (hours: number): Date => new Date(T0.getTime() + hours * HOUR_MS);

describe.each(databasesWithAliceAndBob)('resumable uploads on $label', ({ it }) => {
  it('belong to the user and device that created them', async ({ db, alice, bob }) => {
    const phone = await insertDevice(db, alice.id);
    const other = await insertDevice(db, alice.id);
    const upload = await createPartialUpload(db, {
      userId: alice.id,
      deviceId: phone.id,
      length: 1000,
      fields: { filename: 'IMG_0001.HEIC' },
      now: T0,
      expiresAt: at(24),
    });
    expect(upload).toMatchObject({
      received_bytes: 0,
      upload_length: 1000,
      fields: { filename: 'IMG_0001.HEIC' },
    });
    expect(await findPartialUpload(db, { id: upload.id, userId: alice.id, deviceId: phone.id })).toEqual(
      upload,
    );
    expect(
      await findPartialUpload(db, { id: upload.id, userId: alice.id, deviceId: other.id }),
    ).toBeUndefined();
    expect(await findPartialUpload(db, { id: upload.id, userId: alice.id, deviceId: null })).toBeUndefined();
    expect(
      await findPartialUpload(db, { id: upload.id, userId: bob.id, deviceId: phone.id }),
    ).toBeUndefined();
    expect(
      await findPartialUpload(db, { id: 'not-a-uuid', userId: alice.id, deviceId: phone.id }),
    ).toBeUndefined();
  });

  it('move their offset only from where it is, never past the length', async ({ db, alice }) => {
    const upload = await createPartialUpload(db, {
      userId: alice.id,
      deviceId: null,
      length: 1000,
      fields: {},
      now: T0,
      expiresAt: at(24),
    });
    const move = (from: number, to: number) =>
      advancePartialUpload(db, { id: upload.id, from, to, now: at(1), expiresAt: at(25) });
    expect(await move(0, 400)).toBe(true);
    // A second writer that read offset 0 loses.
    expect(await move(0, 300)).toBe(false);
    await expect(move(400, 1001)).rejects.toThrow();
    expect(await move(400, 1000)).toBe(true);
    const row = await findPartialUpload(db, { id: upload.id, userId: alice.id, deviceId: null });
    expect(row).toMatchObject({ received_bytes: 1000, expires_at: at(25) });
  });

  it('are counted, and deleted once expired', async ({ db, bob }) => {
    const make = (length: number, expiresAt: Date) =>
      createPartialUpload(db, { userId: bob.id, deviceId: null, length, fields: {}, now: T0, expiresAt });
    const old = await make(500, at(1));
    const fresh = await make(700, at(48));
    await advancePartialUpload(db, { id: fresh.id, from: 0, to: 200, now: T0, expiresAt: at(48) });
    expect(await partialUploadUsage(db, { userId: bob.id })).toEqual({
      count: 2,
      receivedBytes: 200,
      pendingBytes: 500 + 500,
    });
    expect(await deleteExpiredPartialUploads(db, { now: at(2) })).toContain(old.id);
    expect(await recordedPartialUploadIds(db, [old.id, fresh.id, 'junk'])).toEqual(new Set([fresh.id]));
  });
});
