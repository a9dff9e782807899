/**
 * What the selection bar does to many items at once, over the API as it is: there is no batch
 * favourite (one PATCH per item, a few at a time), and batch endpoints take at most
 * MAX_BATCH_IDS ids, so larger selections go in chunks. Each action reports what was done even
 * when a later request failed, so the page can say "moved 1,000; the rest failed: …".
 */
import type { AlbumMediaResult, MAX_BATCH_IDS } from '@iclood/api-types';
import { toApiError, type ApiError } from './api-client.js';
import { addToAlbum, inBatches, patchMedia, removeFromAlbum, trashMedia } from './api.js';

// The contract's limit, checked by the type: importing the value itself would bundle TypeBox.
export const BATCH_LIMIT: typeof MAX_BATCH_IDS = 1000;

/** Favourites changed one PATCH at a time; this many in flight. */
const PATCH_CONCURRENCY = 6;

export interface ActionOutcome {
  /** Ids the server changed. */
  done: string[];
  /** The first failure, if any request failed. */
  error?: ApiError | undefined;
}

/** `items` cut into runs of at most `size`, in order. */
export function chunked<T>(items: readonly T[], size: number = BATCH_LIMIT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Marks each item a favourite (or not); items that fail are left out of `done`. */
export async function setFavourite(ids: readonly string[], favorite: boolean): Promise<ActionOutcome> {
  let error: ApiError | undefined;
  const results = await inBatches(ids, PATCH_CONCURRENCY, async (id) => {
    try {
      await patchMedia(id, { favorite });
      return id;
    } catch (failure) {
      error ??= toApiError(failure);
      return undefined;
    }
  });
  return { done: results.filter((id): id is string => id !== undefined), error };
}

/** Runs a batch endpoint over chunks, one after another, stopping at the first failure. */
async function inChunks(
  ids: readonly string[],
  send: (chunk: string[]) => Promise<{ ids: string[] }>,
): Promise<ActionOutcome> {
  const done: string[] = [];
  for (const chunk of chunked(ids)) {
    try {
      done.push(...(await send(chunk)).ids);
    } catch (failure) {
      return { done, error: toApiError(failure) };
    }
  }
  return { done };
}

export const moveToTrash = (ids: readonly string[]) => inChunks(ids, (chunk) => trashMedia(chunk));

/** The album's item count after the last chunk, when any chunk went through. */
export interface AlbumOutcome extends ActionOutcome {
  itemCount?: number | undefined;
}

async function albumChunks(
  ids: readonly string[],
  send: (chunk: string[]) => Promise<AlbumMediaResult>,
): Promise<AlbumOutcome> {
  let itemCount: number | undefined;
  const outcome = await inChunks(ids, async (chunk) => {
    const result = await send(chunk);
    itemCount = result.itemCount;
    return result;
  });
  return { ...outcome, itemCount };
}

export const addItemsToAlbum = (albumId: string, ids: readonly string[]) =>
  albumChunks(ids, (chunk) => addToAlbum(albumId, chunk));
export const removeItemsFromAlbum = (albumId: string, ids: readonly string[]) =>
  albumChunks(ids, (chunk) => removeFromAlbum(albumId, chunk));

/** "1 item", "3 items". */
export function itemCount(count: number): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'item' : 'items'}`;
}
