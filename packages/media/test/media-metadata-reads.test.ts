// Metadata is read on every upload: a 3 MB photo costs one small read, whatever its size. The
// time it takes is measured by bench/metadata/run.mjs, not asserted here.
import { describe, expect, it } from 'vitest';
import { RandomAccessFile } from '../src/media-metadata-file.js';
import { readPhotoFacts } from '../src/media-metadata-photo.js';
import { buildCameraExif, IPHONE_EXIF } from './fixtures/build-exif.js';
import { buildHeic, buildJpeg } from './fixtures/build-photos.js';
import { useTempFiles } from './fixtures/temp-files.js';

const THREE_MB = 3 * 1024 * 1024;
const files = useTempFiles('speed');

async function bytesReadFor(path: string): Promise<{ bytesRead: number; reads: number }> {
  const file = await RandomAccessFile.open(path);
  try {
    await readPhotoFacts(file);
    return { bytesRead: file.bytesRead, reads: file.reads };
  } finally {
    await file.close();
  }
}

describe('photo metadata cost', () => {
  it('reads one 64 KiB window of a 3 MB JPEG', async () => {
    const path = await files.write(
      'IMG_3MB.JPG',
      buildJpeg({ tiff: buildCameraExif(IPHONE_EXIF), size: THREE_MB }),
    );
    expect(await bytesReadFor(path)).toEqual({ bytesRead: 64 * 1024, reads: 1 });
  });

  it('reads the head and the Exif item of a HEIC, not the picture', async () => {
    const tiff = buildCameraExif(IPHONE_EXIF);
    const path = await files.write('IMG.HEIC', buildHeic({ tiff, pictureBytes: 2 * 1024 * 1024 }));
    // The 64 KiB head (ftyp, meta) and the Exif item at the far end of mdat.
    expect(await bytesReadFor(path)).toEqual({ bytesRead: 64 * 1024 + 10 + tiff.length, reads: 2 });
  });
});
