// A corrupt, truncated or hostile file never fails an upload: its metadata falls back to the
// client's date, then to now, with a warning — and never hangs or reads out of bounds.
import { describe, expect, it } from 'vitest';
import { withSafeTiffStructure } from '../src/media-metadata-exif.js';
import { extractMediaMetadata, type MediaKind, type MediaMetadata } from '../src/media-metadata.js';
import { buildCameraExif, IPHONE_EXIF } from './fixtures/build-exif.js';
import { box, buildHeic, buildJpeg, buildPng, buildWebp } from './fixtures/build-photos.js';
import { buildFtyp, buildMovie } from './fixtures/build-quicktime.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const CLIENT = new Date('2024-05-05T12:00:00.000Z');
const JPEG: MediaKind = { mediaType: 'photo', mime: 'image/jpeg' };
const HEIC: MediaKind = { mediaType: 'photo', mime: 'image/heic' };
const MOV: MediaKind = { mediaType: 'video', mime: 'video/quicktime' };
const files = useTempFiles('corrupt');
let counter = 0;

async function extractBytes(
  bytes: Buffer,
  kind: MediaKind,
  client: Date | null = CLIENT,
): Promise<MediaMetadata> {
  counter += 1;
  const path = await files.write(`file-${counter}`, bytes);
  return extractMediaMetadata(path, kind, { now: NOW, clientCreatedAt: client ?? undefined });
}

function expectFallback(meta: MediaMetadata, source: 'client' | 'upload-time' = 'client'): void {
  expect(meta.takenAtSource).toBe(source);
  expect(meta.takenAt.toISOString()).toBe((source === 'client' ? CLIENT : NOW).toISOString());
}

const IPHONE_TIFF = buildCameraExif(IPHONE_EXIF);

describe('falls back instead of failing', () => {
  it('on an empty file, photo or video', async () => {
    expectFallback(await extractBytes(Buffer.alloc(0), JPEG));
    expectFallback(await extractBytes(Buffer.alloc(0), MOV));
    expectFallback(await extractBytes(Buffer.alloc(0), MOV, null), 'upload-time');
  });

  it('on random bytes claimed to be a JPEG or a video', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 251));
    expectFallback(await extractBytes(noise, JPEG));
    expectFallback(await extractBytes(noise, MOV));
  });

  it('on a missing file, without the path in the warning', async () => {
    const meta = await extractMediaMetadata(files.path('gone.jpg'), JPEG, { now: NOW });
    expectFallback(meta, 'upload-time');
    expect(meta.warnings.join(' ')).toMatch(/metadata unreadable \(Error: ENOENT/);
    expect(meta.warnings.join(' ')).not.toContain('gone.jpg');
  });

  it('on a JPEG cut off inside its EXIF segment', async () => {
    const jpeg = buildJpeg({ tiff: IPHONE_TIFF });
    expectFallback(await extractBytes(jpeg.subarray(0, 200), JPEG));
  });

  it('on EXIF whose IFD offsets point outside the block', async () => {
    const tiff = Buffer.from(IPHONE_TIFF);
    tiff.writeUInt32BE(0x7fff_fff0, 4); // IFD0 offset
    expectFallback(await extractBytes(buildJpeg({ tiff }), JPEG));
  });

  it('on an EXIF date with junk, keeping what else is readable', async () => {
    const meta = await extractBytes(
      buildJpeg({
        tiff: buildCameraExif({ make: 'Apple', dateTimeOriginal: 'not a date' }),
        width: 640,
        height: 480,
      }),
      JPEG,
    );
    expectFallback(meta);
    expect([meta.cameraMake, meta.width, meta.height]).toEqual(['Apple', 640, 480]);
    expect(meta.warnings).toContain('EXIF DateTimeOriginal is not a date');
  });

  it('on a HEIC whose Exif item lies beyond the end of the file', async () => {
    const heic = buildHeic({ tiff: IPHONE_TIFF });
    const meta = await extractBytes(heic.subarray(0, heic.length - IPHONE_TIFF.length), HEIC);
    expectFallback(meta);
    expect(meta.warnings).toContain('HEIF Exif item unreadable');
    expect([meta.width, meta.height]).toEqual([4032, 3024]);
  });

  it('on a HEIC whose meta box is cut short', async () => {
    const heic = buildHeic({ tiff: IPHONE_TIFF });
    expectFallback(await extractBytes(heic.subarray(0, 80), HEIC));
  });

  it('on a movie whose moov runs past the end of the file', async () => {
    const movie = buildMovie({ keys: { 'com.apple.quicktime.creationdate': '2024-07-14T18:03:12+0200' } });
    const meta = await extractBytes(movie.subarray(0, movie.length - 10), MOV);
    expectFallback(meta);
    expect(meta.warnings).toContain('no moov atom');
  });

  it('on atoms with sizes of 0, 1 and less than a header, without looping', async () => {
    const zeroSized = Buffer.concat([
      buildFtyp(),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from('mdat', 'latin1'),
      Buffer.alloc(32),
    ]);
    const tiny = Buffer.concat([
      buildFtyp(),
      Buffer.from([0, 0, 0, 4]),
      Buffer.from('moov', 'latin1'),
      Buffer.alloc(32),
    ]);
    const bogusLarge = Buffer.concat([
      buildFtyp(),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('moov', 'latin1'),
      Buffer.alloc(8, 0xff),
    ]);
    const nested = box(
      'moov',
      box('trak', Buffer.from([0, 0, 0, 3]), Buffer.from('tkhd', 'latin1')),
      box('mvhd', Buffer.alloc(3)),
    );
    for (const bytes of [zeroSized, tiny, bogusLarge, Buffer.concat([buildFtyp(), nested])]) {
      expectFallback(await extractBytes(bytes, MOV));
    }
  });
});

/** Rewrites one entry of a big-endian TIFF's IFD0 (or the IFD it points to with `via`). */
function patchEntry(
  tiff: Buffer,
  tag: number,
  patch: { type?: number; count?: number },
  via?: number,
): Buffer {
  const copy = Buffer.from(tiff);
  const findEntry = (ifd: number, wanted: number): number => {
    for (let index = 0; index < copy.readUInt16BE(ifd); index += 1) {
      const entry = ifd + 2 + index * 12;
      if (copy.readUInt16BE(entry) === wanted) return entry;
    }
    throw new Error(`tag ${wanted} not found`);
  };
  const ifd0 = copy.readUInt32BE(4);
  const ifd = via === undefined ? ifd0 : copy.readUInt32BE(findEntry(ifd0, via) + 8);
  const entry = findEntry(ifd, tag);
  if (patch.type !== undefined) copy.writeUInt16BE(patch.type, entry + 2);
  if (patch.count !== undefined) copy.writeUInt32BE(patch.count, entry + 4);
  return copy;
}

describe('hostile EXIF stays cheap', () => {
  const EXIF_IFD = 0x8769;
  const GPS_IFD = 0x8825;

  // Unguarded, exifr allocates the declared count up front: 2^25 rationals took 130 ms and
  // 270 MB of memory per photo; a broken GPS pointer cost 25–50 ms of string arithmetic.
  it.each([
    [
      'a focal length declaring 2^25 rationals',
      patchEntry(IPHONE_TIFF, 0x920a, { count: 2 ** 25 }, EXIF_IFD),
    ],
    ['a GPS latitude declaring 2^24 rationals', patchEntry(IPHONE_TIFF, 0x0002, { count: 2 ** 24 }, GPS_IFD)],
    ['a GPS pointer that is 30 LONGs', patchEntry(IPHONE_TIFF, GPS_IFD, { count: 30 })],
    ['an Exif pointer typed ASCII', patchEntry(IPHONE_TIFF, EXIF_IFD, { type: 2, count: 64 })],
  ])('%s: neutralised before the parser sees it, the rest kept', async (_case, tiff) => {
    // The parser would otherwise walk millions of entries: the work is taken away, not timed.
    expect(withSafeTiffStructure(tiff)).not.toBe(tiff);
    const meta = await extractBytes(buildJpeg({ tiff }), JPEG);
    expect(meta.cameraMake).toBe('Apple');
  });

  it('zeroes runaway counts and renumbers broken pointers, leaving sound blocks untouched', () => {
    expect(withSafeTiffStructure(IPHONE_TIFF)).toBe(IPHONE_TIFF);
    const runaway = patchEntry(IPHONE_TIFF, 0x920a, { count: 2 ** 25 }, EXIF_IFD);
    const fixed = withSafeTiffStructure(runaway);
    expect(fixed).not.toBe(runaway);
    expect(fixed.equals(patchEntry(IPHONE_TIFF, 0x920a, { count: 0 }, EXIF_IFD))).toBe(true);
    const brokenPointer = withSafeTiffStructure(patchEntry(IPHONE_TIFF, GPS_IFD, { count: 30 }));
    expect(brokenPointer.indexOf(Buffer.from([0x88, 0x25, 0x00, 0x04]))).toBe(-1);
  });

  it('keeps the date when only the GPS pointer is broken', async () => {
    const meta = await extractBytes(
      buildJpeg({ tiff: patchEntry(IPHONE_TIFF, GPS_IFD, { count: 30 }) }),
      JPEG,
    );
    expect(meta.takenAtSource).toBe('exif');
    expect([meta.latitude, meta.longitude]).toEqual([null, null]);
  });
});

/** A deterministic generator, so a failure here can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('mutated files (fuzz, fixed seed)', () => {
  const originals: Array<[string, Buffer, MediaKind]> = [
    ['jpeg', buildJpeg({ tiff: IPHONE_TIFF }), JPEG],
    ['heic', buildHeic({ tiff: IPHONE_TIFF, ilocVersion: 1, rotation: 3 }), HEIC],
    ['png', buildPng({ tiff: IPHONE_TIFF, idatChunks: 1 }), { mediaType: 'photo', mime: 'image/png' }],
    ['webp', buildWebp({ tiff: IPHONE_TIFF }), { mediaType: 'photo', mime: 'image/webp' }],
    [
      'mov',
      buildMovie({
        creationTime: new Date('2024-07-14T16:03:15Z'),
        mdatLength: 64,
        keys: {
          'com.apple.quicktime.creationdate': '2024-07-14T18:03:12+0200',
          'com.apple.quicktime.location.ISO6709': '+48.8584+002.2945/',
        },
        userData: { day: '2024-07-14T18:03:12+0200' },
      }),
      MOV,
    ],
  ];

  it.each(originals)(
    'never rejects on 300 mutations of a %s and always returns a sane date',
    async (_name, original, kind) => {
      const random = prng(original.length);
      for (let round = 0; round < 300; round += 1) {
        const bytes = Buffer.from(original);
        const edits = 1 + Math.floor(random() * 8);
        for (let edit = 0; edit < edits; edit += 1) {
          const at = Math.floor(random() * bytes.length);
          bytes[at] =
            random() < 0.5
              ? Math.floor(random() * 256)
              : ([0x00, 0xff, 0x7f, 0x80][Math.floor(random() * 4)] ?? 0);
        }
        const cut = random() < 0.2 ? Math.floor(random() * bytes.length) : bytes.length;
        const meta = await extractBytes(bytes.subarray(0, cut), kind);
        expect(Number.isFinite(meta.takenAt.getTime())).toBe(true);
        expect(meta.takenAt.getTime()).toBeGreaterThanOrEqual(0);
        expect(meta.takenAt.getTime()).toBeLessThanOrEqual(NOW.getTime() + 86_400_000);
        expect(meta.takenAtLocal.month).toBeGreaterThanOrEqual(1);
        expect(meta.takenAtLocal.month).toBeLessThanOrEqual(12);
        // Whatever a file says ends up in a jsonb column: it must survive JSON unchanged.
        expect(JSON.parse(JSON.stringify(meta.metadata))).toEqual(meta.metadata);
        for (const value of [meta.width, meta.height, meta.durationMs, meta.latitude, meta.longitude]) {
          expect(value === null || Number.isFinite(value)).toBe(true);
        }
      }
    },
  );
});
