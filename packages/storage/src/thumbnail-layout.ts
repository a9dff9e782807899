import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The renditions made of every item: a grid cell and a full-screen preview. */
export const THUMBNAIL_SIZES = ['small', 'preview'] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Where a thumbnail of a media item lives: `<thumbsDir>/<first two hex digits of the id>/<id>-<size>.webp`.
 * Two levels keep any one folder to a few thousand entries at a million items. The id must be a
 * lowercase UUID, so nothing a client sends can steer the path.
 *
 * @throws RangeError when `mediaId` is not a lowercase UUID
 * @example
 * thumbnailPath('/data/thumbs', '0f8e…', 'small'); // '/data/thumbs/0f/0f8e…-small.webp'
 */
export function thumbnailPath(thumbsDir: string, mediaId: string, size: ThumbnailSize): string {
  if (!UUID.test(mediaId)) throw new RangeError(`not a media id: ${JSON.stringify(mediaId)}`);
  return join(thumbsDir, mediaId.slice(0, 2), `${mediaId}-${size}.webp`);
}

/** The media id and size a file under `thumbsDir` belongs to, or undefined for anything else. */
export function parseThumbnailFileName(
  fileName: string,
): { mediaId: string; size: ThumbnailSize } | undefined {
  const match = /^([0-9a-f-]{36})-(small|preview)\.webp$/.exec(fileName);
  if (!match || !UUID.test(match[1]!)) return undefined;
  return { mediaId: match[1]!, size: match[2] as ThumbnailSize };
}

/** Removes every thumbnail of an item; missing files are fine. Returns the bytes freed. */
export async function removeThumbnails(thumbsDir: string, mediaId: string): Promise<number> {
  let freed = 0;
  for (const size of THUMBNAIL_SIZES) {
    const path = thumbnailPath(thumbsDir, mediaId, size);
    const bytes = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    await rm(path, { force: true });
    freed += bytes;
  }
  return freed;
}
