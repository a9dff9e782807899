// The HEIC decoder as the server runs it: from the built package, where its worker is a compiled
// file beside it (dist/heic-decode-worker.js). Turbo builds a package before testing it; by hand,
// build first (`pnpm build` here).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Media from '../src/index.js';
import { useTempFiles } from './fixtures/temp-files.js';

const built = new URL('../dist/', import.meta.url);
const { createHeifDecoder, HeifDecodeError } = (await import(
  new URL('index.js', built).href
)) as typeof Media;
const iphoneHeic = fileURLToPath(new URL('fixtures/rotated-64x48.heic', import.meta.url));
const limits = { maxPixels: 100_000_000, maxBytes: 256 * 1024 * 1024 };

describe('HEIC decoding from the built package', () => {
  const files = useTempFiles('heic-decode');
  const heif = createHeifDecoder();
  afterAll(() => heif.close());

  it('starts the compiled worker and decodes an iPhone-shaped HEIC upright (irot applied)', async () => {
    const picture = await heif.decode(iphoneHeic, limits);
    // Stored 64×48, red left and blue right; `irot` turns it to 48×64 with red on top.
    expect({ width: picture.width, height: picture.height, channels: picture.channels }).toEqual({
      width: 48,
      height: 64,
      channels: 3,
    });
    expect(picture.data.length).toBe(48 * 64 * 3);
    const at = (x: number, y: number) => [...picture.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3)];
    const [r1, g1, b1] = at(24, 6) as [number, number, number];
    const [r2, g2, b2] = at(24, 57) as [number, number, number];
    expect(r1 > 150 && g1 < 100 && b1 < 100, `top ${[r1, g1, b1]}`).toBe(true);
    expect(b2 > 150 && r2 < 100 && g2 < 100, `bottom ${[r2, g2, b2]}`).toBe(true);
  });

  it('refuses what is not a HEIF picture, or is over its limits, as HeifDecodeError', async () => {
    const garbage = await files.write('garbage.heic', Buffer.from('not a picture at all'));
    await expect(heif.decode(garbage, limits)).rejects.toThrow(HeifDecodeError);
    await expect(heif.decode(garbage, limits)).rejects.toThrow(/not a readable HEIF file/);
    await expect(heif.decode(iphoneHeic, { ...limits, maxPixels: 48 * 64 - 1 })).rejects.toThrow(
      /the picture is 48x64, over the limit of 3071 pixels/,
    );
    await expect(heif.decode(iphoneHeic, { ...limits, maxBytes: 1000 })).rejects.toThrow(
      /the file is 1329 bytes, over 1000/,
    );
  });

  it('passes the file system failing through with its code, not as a decoding error', async () => {
    const error: unknown = await heif.decode(files.path('missing.heic'), limits).catch((reason) => reason);
    expect(error).not.toBeInstanceOf(HeifDecodeError);
    expect(error).toMatchObject({ code: 'ENOENT' });
  });

  it('still decodes after close(): a later call starts a new worker', async () => {
    await heif.close();
    const copy = await files.write('again.heic', readFileSync(iphoneHeic));
    const picture = await heif.decode(copy, limits);
    expect([picture.width, picture.height]).toEqual([48, 64]);
  });
});
