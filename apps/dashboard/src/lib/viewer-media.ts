/**
 * What the viewer works out about one item, as pure functions: whether the browser can show its
 * original, its shape as displayed, a camera's name, and where ←/→ lead in a grid's order.
 */

// Chromium and Safari both draw these; HEIC and RAW only Safari (or nobody), so they keep the preview.
const BROWSER_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

/** True when an `<img>` can show the original at full resolution in any browser we support. */
export function canShowOriginal(mime: string): boolean {
  return BROWSER_IMAGE_TYPES.has(mime.toLowerCase());
}

/** Width × height as the picture is shown: EXIF orientations 5–8 turn it a quarter. */
export function displayedSize(
  width: number | null,
  height: number | null,
  orientation: number | null,
): { width: number; height: number } | undefined {
  if (!width || !height) return undefined;
  return orientation !== null && orientation >= 5 ? { width: height, height: width } : { width, height };
}

/** "Apple iPhone 15 Pro", without the make twice when the model already starts with it ("Canon EOS R5"). */
export function cameraName(make: string | null, model: string | null): string | undefined {
  const maker = make?.trim() ?? '';
  const name = model?.trim() ?? '';
  if (!maker) return name || undefined;
  if (!name) return maker;
  return name.toLowerCase().startsWith(maker.toLowerCase()) ? name : `${maker} ${name}`;
}

/** The ids before and after `id` in grid order; `index` is -1 when the grid does not hold it. */
export function neighboursOf(
  ids: readonly string[],
  id: string,
): { index: number; previous?: string; next?: string } {
  const index = ids.indexOf(id);
  if (index === -1) return { index };
  return { index, previous: ids[index - 1], next: ids[index + 1] };
}

/** Where a touch that moved (dx, dy) pixels leads: a mostly-horizontal move of 50 px or more. */
export function swipeDirection(dx: number, dy: number): 'next' | 'previous' | undefined {
  if (Math.abs(dx) < 50 || Math.abs(dx) < Math.abs(dy) * 1.5) return undefined;
  return dx < 0 ? 'next' : 'previous';
}
