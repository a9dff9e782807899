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
  MediaSummary,
  MediaSummaryQuery,
  MediaTimeline,
  PairingPreviewRequest,
  PairingPreviewResult,
  PairingStatusResult,
  PingData,
  PurgeResult,
  RegisterResult,
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
  UploadFields,
  UploadResult,
  UserResult,
} from '@iclood/api-types';
import { createTransport, queryString, type ClientOptions } from './transport.js';

const API = '/api/v1';

/**
 * The typed `/api/v1` client: one method per call the dashboard and command-line tools make, each
 * typed by the HTTP contract in @iclood/api-types, unwrapping the envelope and throwing `ApiError`
 * with the server's code. Methods are plain functions (no `this`), so they can be destructured.
 *
 * @example
 * const api = createClient({ baseUrl: 'http://iclood.local:8080', token });
 * const { items, nextCursor } = await api.listMedia({ limit: 100 });
 */
export function createClient(options: ClientOptions = {}) {
  const transport = createTransport(options);
  const { request, url } = transport;
  return {
    getSetupStatus: () => request<SetupStatus>('GET', `${API}/setup`),
    /** Creates the owner on first run; the server also sets the session cookie. */
    createOwnerAccount: (setup: SetupRequest) => request<LoginResult>('POST', `${API}/setup`, setup),
    logIn: (credentials: LoginRequest) => request<LoginResult>('POST', `${API}/auth/login`, credentials),
    getCurrentUser: () => request<Me>('GET', `${API}/auth/me`),
    logOut: () => request<LogoutResult>('DELETE', `${API}/auth/logout`),
    getSystemStatus: () => request<SystemStatus>('GET', `${API}/system/status`),
    pingServer: () => request<PingData>('GET', `${API}/ping`),

    /**
     * Devices with their backup status: the caller's own (names for the viewer and the search filter),
     * one household member's by id, or `all` of the household's (owner/admin).
     */
    listDevices: (user?: DeviceListQuery['user']) =>
      request<DeviceList>('GET', `${API}/devices${queryString({ user })}`),
    /** A named upload-only token for an iOS Shortcut; the answer (token and its QR code) is shown once. */
    createShortcutToken: (name: string) =>
      request<CreateDeviceResult>('POST', `${API}/devices`, { name, platform: 'shortcuts' }),

    listMedia: (query: MediaListQuery) =>
      request<MediaList>('GET', `${API}/media/list${queryString({ ...query })}`),
    /** How many items and bytes a selection holds (what a restore of it would download). */
    getMediaSummary: (query: MediaSummaryQuery) =>
      request<MediaSummary>('GET', `${API}/media/summary${queryString({ ...query })}`),
    getTimeline: () => request<MediaTimeline>('GET', `${API}/media/timeline`),
    getMedia: (id: string) => request<MediaDetail>('GET', `${API}/media/${encodeURIComponent(id)}`),
    patchMedia: (id: string, patch: MediaPatchRequest) =>
      request<MediaDetail>('PATCH', `${API}/media/${encodeURIComponent(id)}`, patch),
    trashMedia: (ids: readonly string[]) =>
      request<MediaBatchResult>('POST', `${API}/media/batch/delete`, { ids }),

    listTrash: (cursor?: string) =>
      request<TrashList>('GET', `${API}/trash${queryString({ cursor, limit: 200 })}`),
    restoreFromTrash: (ids: readonly string[]) =>
      request<MediaBatchResult>('POST', `${API}/trash/restore`, { ids }),
    deleteForever: (ids: readonly string[]) => request<PurgeResult>('POST', `${API}/trash/delete`, { ids }),
    emptyTrash: () => request<PurgeResult>('DELETE', `${API}/trash`),

    listAlbums: () => request<AlbumList>('GET', `${API}/albums`),
    getAlbum: (id: string) => request<Album>('GET', `${API}/albums/${encodeURIComponent(id)}`),
    createAlbum: (name: string) => request<Album>('POST', `${API}/albums`, { name }),
    renameAlbum: (id: string, name: string) =>
      request<Album>('PATCH', `${API}/albums/${encodeURIComponent(id)}`, { name }),
    deleteAlbum: (id: string) => request<unknown>('DELETE', `${API}/albums/${encodeURIComponent(id)}`),
    addToAlbum: (id: string, ids: readonly string[]) =>
      request<AlbumMediaResult>('POST', `${API}/albums/${encodeURIComponent(id)}/media`, { ids }),
    removeFromAlbum: (id: string, ids: readonly string[]) =>
      request<AlbumMediaResult>('DELETE', `${API}/albums/${encodeURIComponent(id)}/media`, { ids }),

    // Phones: pairing, the household's devices and their backups (issue 12).

    /** Opens a pairing for the caller, or (owner/admin) for household member `userId`. */
    openPairing: (userId?: string) =>
      request<CreatePairingResult>('POST', `${API}/pairing`, userId === undefined ? {} : { userId }),
    getPairing: (id: string) =>
      request<PairingStatusResult>('GET', `${API}/pairing/${encodeURIComponent(id)}`),
    /** What a pairing link's secret (or a typed code) would pair with: the server and the member. */
    previewPairing: (credential: PairingPreviewRequest) =>
      request<PairingPreviewResult>('POST', `${API}/auth/register/preview`, credential),
    /**
     * Pairs this browser as a web device with a pairing link's secret (or a typed code): the server
     * sets the device's token as an httpOnly cookie, which signs the browser in from then on.
     */
    pairThisBrowser: (credential: PairingPreviewRequest, deviceName: string) =>
      request<RegisterResult>('POST', `${API}/auth/register`, { ...credential, deviceName, platform: 'web' }),

    /** Renames a device or changes its backup preferences (an owner or admin: any household device). */
    updateDevice: (id: string, changes: UpdateDeviceRequest) =>
      request<DeviceResult>('PATCH', `${API}/devices/${encodeURIComponent(id)}`, changes),
    revokeDevice: (id: string) =>
      request<RevokeDeviceResult>('DELETE', `${API}/devices/${encodeURIComponent(id)}`),
    /** One page of a device's backup sessions, newest first (`user` for another person's device). */
    getBackupHistory: (query: BackupHistoryQuery) =>
      request<BackupHistory>('GET', `${API}/backup/history${queryString({ ...query })}`),
    // People, your account, storage (issue 12).

    /** The household (owner/admin only). */
    listUsers: () => request<UserList>('GET', `${API}/users`),
    addUser: (user: CreateUserRequest) => request<UserResult>('POST', `${API}/users`, user),
    updateUser: (id: string, changes: UpdateUserRequest) =>
      request<UserResult>('PATCH', `${API}/users/${encodeURIComponent(id)}`, changes),
    removeUser: (id: string) => request<DeleteUserResult>('DELETE', `${API}/users/${encodeURIComponent(id)}`),

    /** Changes the signed-in person's password; their other dashboard sessions end. */
    changeOwnPassword: (currentPassword: string, newPassword: string) =>
      request<ChangePasswordResult>('POST', `${API}/auth/password`, { currentPassword, newPassword }),
    revokeOtherSessions: () =>
      request<RevokeOtherSessionsResult>('POST', `${API}/auth/sessions/revoke-others`),

    getStorage: () => request<SystemStorage>('GET', `${API}/system/storage`),
    cleanUpStorage: () => request<CleanupResult>('POST', `${API}/system/cleanup`),
    retryFailedJobs: () => request<RetryJobsResult>('POST', `${API}/system/jobs/retry`),

    /** Where a thumbnail or the original is loaded from (a browser sends its session cookie). */
    thumbnailUrl: (id: string, size: 'small' | 'preview') =>
      url(`${API}/media/${encodeURIComponent(id)}/thumbnail?size=${size}`),
    originalUrl: (id: string, download = false) =>
      url(`${API}/media/${encodeURIComponent(id)}/original${download ? '?download=1' : ''}`),
    /** The pairing's QR code image; `http` for its plain-HTTP link (`qrPayloadHttp`). */
    pairingQrUrl: (id: string, link: 'main' | 'http' = 'main') =>
      url(`${API}/pairing/${encodeURIComponent(id)}/qr.svg${link === 'http' ? '?link=http' : ''}`),
    /** The streaming restore: a form posted here downloads the ZIP. */
    restoreUrl: url(`${API}/media/batch/restore`),

    /**
     * Uploads one file as the raw body of `POST /media/upload`, the form a Shortcut and the
     * dashboard use. `body` is a Blob (a browser's File, Node's `openAsBlob`) or a web
     * ReadableStream (Node: `Readable.toWeb(createReadStream(path))`), streamed, never held whole.
     * `onProgress` hears the bytes handed to the connection so far: as they go for a stream, once
     * at the end for a Blob (a browser wanting progress for a File uses XMLHttpRequest). No time
     * limit: a video of gigabytes takes what it takes; pass `signal` to cancel.
     */
    upload: async (
      body: Blob | ReadableStream<Uint8Array>,
      fields: UploadFields & { filename: string },
      uploadOptions: { contentType?: string; onProgress?: (sent: number) => void; signal?: AbortSignal } = {},
    ): Promise<UploadResult> => {
      const { onProgress, signal } = uploadOptions;
      const isBlob = body instanceof Blob;
      let sent = 0;
      const counted = isBlob
        ? body
        : body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                sent += chunk.byteLength;
                onProgress?.(sent);
                controller.enqueue(chunk);
              },
            }),
          );
      const contentType = uploadOptions.contentType ?? ((isBlob && body.type) || 'application/octet-stream');
      // `duplex` is how fetch is told a stream body goes out while the answer may come back.
      const init: RequestInit & { duplex?: 'half' } = {
        method: 'POST',
        body: counted,
        headers: { 'content-type': contentType },
      };
      if (!isBlob) init.duplex = 'half';
      if (signal) init.signal = signal;
      const result = await transport.send<UploadResult>(
        `${API}/media/upload${queryString({ ...fields })}`,
        init,
        {
          timeoutMs: null,
        },
      );
      if (isBlob) onProgress?.(body.size);
      return result;
    },

    /** The transport underneath, for a call this client does not wrap yet. */
    transport,
  };
}

export type IcloodClient = ReturnType<typeof createClient>;

/**
 * The pages of a cursor-paged list, fetched one at a time as the loop asks for them.
 *
 * @example
 * for await (const page of pages((cursor) => api.listMedia({ cursor, limit: 500 }))) {
 *   for (const item of page.items) console.log(item.name);
 * }
 */
export async function* pages<P extends { nextCursor: string | null }>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
): AsyncGenerator<P, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield page;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
