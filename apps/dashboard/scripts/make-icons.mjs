// Renders the home-screen icons of the installable dashboard (public/icons/*.png) from the
// dashboard's SVG mark, once: the PNGs are committed. Run again after changing the mark:
//   node scripts/make-icons.mjs   (from apps/dashboard)
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const DASHBOARD = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(DASHBOARD, 'public', 'icons');
const mark = await readFile(join(DASHBOARD, 'src', 'assets', 'iclood-icon.svg'), 'utf8');

// The mark is a rounded square on a 64-unit view box. Home screens that round or mask the icon
// themselves (iOS, Android's maskable icons) get it square and full-bleed: the cloud already sits
// inside the central circle a mask keeps (40% of the size around the centre).
const square = mark.replace(' rx="14"', '');
if (square === mark) throw new Error('make-icons: the mark has no rx="14" corner to square off');

const ICONS = [
  { file: 'icon-192.png', size: 192, svg: mark },
  { file: 'icon-512.png', size: 512, svg: mark },
  { file: 'icon-maskable-512.png', size: 512, svg: square },
  { file: 'apple-touch-icon.png', size: 180, svg: square },
];

await mkdir(OUT, { recursive: true });
for (const { file, size, svg } of ICONS) {
  // The view box is 64 units at 72 dpi; render at the density that makes it `size` pixels.
  const image = sharp(Buffer.from(svg), { density: (72 * size) / 64 }).resize(size, size);
  // iOS shows transparency as black: its icon is flattened on the mark's blue.
  const opaque = file.startsWith('apple') ? image.flatten({ background: '#2f6fed' }) : image;
  await opaque.png({ compressionLevel: 9 }).toFile(join(OUT, file));
  console.log(`wrote public/icons/${file} (${size}×${size})`);
}
