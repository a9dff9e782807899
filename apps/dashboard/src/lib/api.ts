// The endpoints the dashboard uses: @iclood/client on the page's own origin with the session
// cookie, its 401s sending the person to sign-in.
import { createClient } from '@iclood/client';
import { notifySessionEnded } from './api-client.js';

const client = createClient({ onUnauthorized: notifySessionEnded });

export const {
  getSetupStatus,
  createOwnerAccount,
  logIn,
  getCurrentUser,
  logOut,
  getSystemStatus,
  pingServer,
  listDevices,
  createShortcutToken,
  listMedia,
  getTimeline,
  getMedia,
  patchMedia,
  trashMedia,
  listTrash,
  restoreFromTrash,
  deleteForever,
  emptyTrash,
  listAlbums,
  getAlbum,
  createAlbum,
  renameAlbum,
  deleteAlbum,
  addToAlbum,
  removeFromAlbum,
  openPairing,
  getPairing,
  previewPairing,
  pairThisBrowser,
  updateDevice,
  revokeDevice,
  getBackupHistory,
  listUsers,
  addUser,
  updateUser,
  removeUser,
  changeOwnPassword,
  revokeOtherSessions,
  getStorage,
  cleanUpStorage,
  retryFailedJobs,
  getMediaSummary,
  thumbnailUrl,
  originalUrl,
  pairingQrUrl,
} = client;
/** The streaming restore: a form posted here downloads the ZIP. */
export const RESTORE_URL = client.restoreUrl;

/** Runs `task` over `items`, at most `concurrency` at a time; resolves with every result in order. */
export async function inBatches<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
