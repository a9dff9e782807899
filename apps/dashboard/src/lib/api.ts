// The endpoints the dashboard uses, typed by the HTTP contract in @iclood/api-types.
import type {
  Album,
  AlbumList,
  AlbumMediaResult,
  BackupHistory,
  BackupHistoryQuery,
  ChangePasswordResult,
  CleanupResult,
  CreateDeviceResult,
  CreatePairingResult,
  CreateUserRequest,
  DeleteUserResult,
  DeviceList,
  DeviceListQuery,
  DeviceResult,
  LoginRequest,
  LoginResult,
  LogoutResult,
  Me,
  MediaBatchResult,
  MediaDetail,
  MediaList,
  MediaListQuery,
  MediaPatchRequest,
  MediaTimeline,
  PairingStatusResult,
  PingData,
  PurgeResult,
  RetryJobsResult,
  RevokeDeviceResult,
  RevokeOtherSessionsResult,
  SetupRequest,
  SetupStatus,
  SystemStatus,
  SystemStorage,
  TrashList,
  UpdateDeviceRequest,
  UpdateUserRequest,
  UserList,
  UserResult,
} from '@iclood/api-types';
import { apiRequest, queryString } from './api-client.js';

const API = '/api/v1';

export const getSetupStatus = () => apiRequest<SetupStatus>('GET', `${API}/setup`);
/** Creates the owner on first run; the server also sets the session cookie. */
export const createOwnerAccount = (request: SetupRequest) =>
  apiRequest<LoginResult>('POST', `${API}/setup`, request);
export const logIn = (request: LoginRequest) => apiRequest<LoginResult>('POST', `${API}/auth/login`, request);
export const getCurrentUser = () => apiRequest<Me>('GET', `${API}/auth/me`);
export const logOut = () => apiRequest<LogoutResult>('DELETE', `${API}/auth/logout`);
export const getSystemStatus = () => apiRequest<SystemStatus>('GET', `${API}/system/status`);
export const pingServer = () => apiRequest<PingData>('GET', `${API}/ping`);

/**
 * Devices with their backup status: the caller's own (names for the viewer and the search filter),
 * one household member's by id, or `all` of the household's (owner/admin).
 */
export const listDevices = (user?: DeviceListQuery['user']) =>
  apiRequest<DeviceList>('GET', `${API}/devices${queryString({ user })}`);
/** A named upload-only token for an iOS Shortcut; the answer (token and its QR code) is shown once. */
export const createShortcutToken = (name: string) =>
  apiRequest<CreateDeviceResult>('POST', `${API}/devices`, { name, platform: 'shortcuts' });

export const listMedia = (query: MediaListQuery) =>
  apiRequest<MediaList>('GET', `${API}/media/list${queryString({ ...query })}`);
export const getTimeline = () => apiRequest<MediaTimeline>('GET', `${API}/media/timeline`);
export const getMedia = (id: string) =>
  apiRequest<MediaDetail>('GET', `${API}/media/${encodeURIComponent(id)}`);
export const patchMedia = (id: string, patch: MediaPatchRequest) =>
  apiRequest<MediaDetail>('PATCH', `${API}/media/${encodeURIComponent(id)}`, patch);
export const trashMedia = (ids: readonly string[]) =>
  apiRequest<MediaBatchResult>('POST', `${API}/media/batch/delete`, { ids });

export const listTrash = (cursor?: string) =>
  apiRequest<TrashList>('GET', `${API}/trash${queryString({ cursor, limit: 200 })}`);
export const restoreFromTrash = (ids: readonly string[]) =>
  apiRequest<MediaBatchResult>('POST', `${API}/trash/restore`, { ids });
export const deleteForever = (ids: readonly string[]) =>
  apiRequest<PurgeResult>('POST', `${API}/trash/delete`, { ids });
export const emptyTrash = () => apiRequest<PurgeResult>('DELETE', `${API}/trash`);

export const listAlbums = () => apiRequest<AlbumList>('GET', `${API}/albums`);
export const getAlbum = (id: string) => apiRequest<Album>('GET', `${API}/albums/${encodeURIComponent(id)}`);
export const createAlbum = (name: string) => apiRequest<Album>('POST', `${API}/albums`, { name });
export const renameAlbum = (id: string, name: string) =>
  apiRequest<Album>('PATCH', `${API}/albums/${encodeURIComponent(id)}`, { name });
export const deleteAlbum = (id: string) =>
  apiRequest<unknown>('DELETE', `${API}/albums/${encodeURIComponent(id)}`);
export const addToAlbum = (id: string, ids: readonly string[]) =>
  apiRequest<AlbumMediaResult>('POST', `${API}/albums/${encodeURIComponent(id)}/media`, { ids });
export const removeFromAlbum = (id: string, ids: readonly string[]) =>
  apiRequest<AlbumMediaResult>('DELETE', `${API}/albums/${encodeURIComponent(id)}/media`, { ids });

/** Where the browser loads a thumbnail or the original from (same origin, the session cookie). */
export const thumbnailUrl = (id: string, size: 'small' | 'preview') =>
  `${API}/media/${encodeURIComponent(id)}/thumbnail?size=${size}`;
export const originalUrl = (id: string, download = false) =>
  `${API}/media/${encodeURIComponent(id)}/original${download ? '?download=1' : ''}`;
/** The streaming restore: a form posted here downloads the ZIP. */
export const RESTORE_URL = `${API}/media/batch/restore`;

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

// Phones: pairing, the household's devices and their backups (issue 12).

/** Opens a pairing for the caller, or (owner/admin) for household member `userId`. */
export const openPairing = (userId?: string) =>
  apiRequest<CreatePairingResult>('POST', `${API}/pairing`, userId === undefined ? {} : { userId });
export const getPairing = (id: string) =>
  apiRequest<PairingStatusResult>('GET', `${API}/pairing/${encodeURIComponent(id)}`);
/** The pairing's QR code image (same origin, the session cookie). */
export const pairingQrUrl = (id: string) => `${API}/pairing/${encodeURIComponent(id)}/qr.svg`;

/** Renames a device or changes its backup preferences (an owner or admin: any household device). */
export const updateDevice = (id: string, changes: UpdateDeviceRequest) =>
  apiRequest<DeviceResult>('PATCH', `${API}/devices/${encodeURIComponent(id)}`, changes);
export const revokeDevice = (id: string) =>
  apiRequest<RevokeDeviceResult>('DELETE', `${API}/devices/${encodeURIComponent(id)}`);
/** One page of a device's backup sessions, newest first (`user` for another person's device). */
export const getBackupHistory = (query: BackupHistoryQuery) =>
  apiRequest<BackupHistory>('GET', `${API}/backup/history${queryString({ ...query })}`);
// People, your account, storage (issue 12).

const userPath = (id: string) => `${API}/users/${encodeURIComponent(id)}`;
/** The household (owner/admin only). */
export const listUsers = () => apiRequest<UserList>('GET', `${API}/users`);
export const addUser = (request: CreateUserRequest) =>
  apiRequest<UserResult>('POST', `${API}/users`, request);
export const updateUser = (id: string, changes: UpdateUserRequest) =>
  apiRequest<UserResult>('PATCH', userPath(id), changes);
export const removeUser = (id: string) => apiRequest<DeleteUserResult>('DELETE', userPath(id));

/** Changes the signed-in person's password; their other dashboard sessions end. */
export const changeOwnPassword = (currentPassword: string, newPassword: string) =>
  apiRequest<ChangePasswordResult>('POST', `${API}/auth/password`, { currentPassword, newPassword });
export const revokeOtherSessions = () =>
  apiRequest<RevokeOtherSessionsResult>('POST', `${API}/auth/sessions/revoke-others`);

export const getStorage = () => apiRequest<SystemStorage>('GET', `${API}/system/storage`);
export const cleanUpStorage = () => apiRequest<CleanupResult>('POST', `${API}/system/cleanup`);
export const retryFailedJobs = () => apiRequest<RetryJobsResult>('POST', `${API}/system/jobs/retry`);
