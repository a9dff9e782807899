// An iPhone writes the moov atom after the media data. For a 200 MB video (a sparse file here, so
// it costs no disk) the reader must step over the mdat by its header and read only the moov.
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RandomAccessFile } from '../src/media-metadata-file.js';
import { MOOV_READ_LIMIT, readQuickTimeFacts } from '../src/media-metadata-quicktime.js';
import { extractMediaMetadata } from '../src/media-metadata.js';
import { buildFtyp, buildMoov, mdatHeader } from './fixtures/build-quicktime.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const MEDIA_BYTES = 200 * 1024 * 1024;
const files = useTempFiles('large-video');

/** ftyp, an mdat header claiming `mediaBytes` of (sparse, unwritten) data, then `tail`, then `sparseTail` zeros. */
async function sparseMovie(
  name: string,
  mediaBytes: number,
  tail: Buffer,
  forceLargeMdat = false,
  sparseTail = 0,
): Promise<string> {
  const path = files.path(name);
  const head = Buffer.concat([buildFtyp('qt  '), Buffer.from(mdatHeader(mediaBytes, forceLargeMdat))]);
  const handle = await open(path, 'w');
  try {
    await handle.write(head, 0, head.length, 0);
    await handle.truncate(head.length + mediaBytes);
    await handle.write(tail, 0, tail.length, head.length + mediaBytes);
    if (sparseTail > 0) await handle.truncate(head.length + mediaBytes + tail.length + sparseTail);
  } finally {
    await handle.close();
  }
  return path;
}

const MOOV = buildMoov({
  creationTime: new Date('2024-07-14T16:03:15Z'),
  timescale: 600,
  duration: 600 * 60 * 10,
  tracks: [{ handler: 'vide', width: 3840, height: 2160, rotation: 90 }, { handler: 'soun' }],
  keys: { 'com.apple.quicktime.creationdate': '2024-07-14T18:03:12+0200' },
});

describe('moov at the end of a large file', () => {
  it('reads a few kilobytes of a 200 MB movie', async () => {
    for (const forceLargeMdat of [false, true]) {
      const path = await sparseMovie(`IMG_${forceLargeMdat}.MOV`, MEDIA_BYTES, MOOV, forceLargeMdat);
      const file = await RandomAccessFile.open(path);
      const facts = await readQuickTimeFacts(file);
      await file.close();
      expect(file.size).toBeGreaterThan(MEDIA_BYTES);
      expect(facts.durationMs).toBe(600_000);
      expect(facts.captureCandidates[0]?.time.takenAt.toISOString()).toBe('2024-07-14T16:03:12.000Z');
      // ftyp+mdat header (one 64 KiB window) and the moov itself; never the media data.
      expect(file.bytesRead).toBeLessThan(64 * 1024 + MOOV.length + 64);
      expect(file.reads).toBeLessThanOrEqual(4);
    }
  });

  it('extracts the full metadata through the public API', async () => {
    const path = await sparseMovie('public.MOV', MEDIA_BYTES, MOOV);
    const meta = await extractMediaMetadata(
      path,
      { mediaType: 'video', mime: 'video/quicktime' },
      { now: NOW },
    );
    expect(meta).toMatchObject({
      takenAtSource: 'quicktime',
      takenAtOffsetMinutes: 120,
      width: 3840,
      height: 2160,
      orientation: 6,
      durationMs: 600_000,
    });
  });

  it('reads only the first part of a moov larger than the limit, and says so', async () => {
    // moov = the real children, then a `free` box whose (sparse) payload runs past the limit.
    const children = MOOV.subarray(8);
    const freeHeader = Buffer.alloc(8);
    freeHeader.writeUInt32BE(8 + MOOV_READ_LIMIT);
    freeHeader.write('free', 4, 'latin1');
    const moovHeader = Buffer.alloc(8);
    moovHeader.writeUInt32BE(8 + children.length + freeHeader.length + MOOV_READ_LIMIT);
    moovHeader.write('moov', 4, 'latin1');
    const path = await sparseMovie(
      'huge-moov.MOV',
      1024 * 1024,
      Buffer.concat([moovHeader, children, freeHeader]),
      false,
      MOOV_READ_LIMIT,
    );
    const file = await RandomAccessFile.open(path);
    const facts = await readQuickTimeFacts(file);
    await file.close();
    expect(facts.warnings).toContain('moov atom larger than the read limit; read in part');
    expect(facts.durationMs).toBe(600_000);
    expect(facts.width).toBe(3840);
    // Two header windows (ftyp+mdat, the moov header) and the capped moov.
    expect(file.bytesRead).toBeLessThanOrEqual(2 * 64 * 1024 + MOOV_READ_LIMIT);
  });
});
