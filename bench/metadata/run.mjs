#!/usr/bin/env node
// bench/metadata: what reading a photo's metadata costs on every upload, against the floor of any
// reader (open the file, read one 64 KiB window, close) measured in the same run. The unit tests
// assert the work done (bytes and reads); the time lives here.
//
//   npx pnpm@10.34.8 exec turbo run build --filter=@iclood/server...   # once
//   node bench/metadata/run.mjs [--rounds 500]
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '500' } } });
const rounds = Number(args.rounds);
const media = new URL('../../packages/media/', import.meta.url);
const sharp = createRequire(new URL('package.json', media))('sharp');
const { extractMediaMetadata } = await import(new URL('dist/index.js', media).href);

const dir = await mkdtemp(join(tmpdir(), 'iclood-bench-metadata-'));
try {
  // A real camera-sized JPEG: noise keeps it at a few MB, like an iPhone photo.
  const jpeg = await sharp({
    create: { width: 2400, height: 1800, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .withExif({
      IFD0: { Make: 'Apple', Model: 'iPhone 15 Pro' },
      IFD2: { DateTimeOriginal: '2024:07:14 18:03:12', OffsetTimeOriginal: '+02:00' },
    })
    .jpeg({ quality: 92 })
    .toBuffer();
  const path = join(dir, 'IMG_0001.JPG');
  await writeFile(path, jpeg);
  const kind = { mediaType: 'photo', mime: 'image/jpeg' };
  const now = new Date();

  async function floor() {
    const handle = await open(path, 'r');
    try {
      await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    } finally {
      await handle.close();
    }
  }
  async function metadata() {
    const meta = await extractMediaMetadata(path, kind, { now });
    if (meta.takenAtSource !== 'exif') throw new Error(`expected the EXIF date, got ${meta.takenAtSource}`);
  }
  async function timeEach(fn) {
    for (let i = 0; i < 50; i += 1) await fn();
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i += 1) await fn();
    return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
  }
  // Alternate, and keep the better of two rounds each, so a busy moment does not pick the winner.
  const floorMs = Math.min(await timeEach(floor), await timeEach(floor));
  const metadataMs = Math.min(await timeEach(metadata), await timeEach(metadata));
  console.log(`photo: ${(jpeg.length / 1024 / 1024).toFixed(1)} MB JPEG with EXIF, ${rounds} rounds`);
  console.log(`open + read 64 KiB + close (floor): ${floorMs.toFixed(3)} ms`);
  console.log(`extractMediaMetadata:              ${metadataMs.toFixed(3)} ms`);
  console.log(`ratio to the floor: ${(metadataMs / floorMs).toFixed(2)}×  (DESIGN target: 1–3 ms a photo)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
