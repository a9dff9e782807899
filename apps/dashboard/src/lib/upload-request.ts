import type { UploadResult } from '@iclood/api-types';
import { ApiError, NETWORK_ERROR, isEnvelope, queryString, unwrapEnvelope } from './api-client.js';
import { sendFileResumable } from './upload-resumable.js';

/** Where the dashboard uploads: the raw-body form of the same endpoint the phones use. */
export const UPLOAD_PATH = '/api/v1/media/upload';

/** How one file's request ended. */
export type UploadOutcome =
  { kind: 'stored'; result: UploadResult } | { kind: 'failed'; error: ApiError } | { kind: 'cancelled' };

export interface UploadRequest {
  readonly done: Promise<UploadOutcome>;
  abort(): void;
}

/** Files this large and larger go as resumable uploads: a cut connection costs seconds, not the file. */
export const RESUMABLE_FROM_BYTES = 32 * 1024 * 1024;

/**
 * What the server is told of `file`: its name, and its last-modified time as both `createdAt` (the
 * server prefers the EXIF date, this is the fallback) and `modifiedAt`. A browser knows no creation time.
 */
export function uploadFields(file: Pick<File, 'name' | 'lastModified'>): Record<string, string> {
  const modified =
    Number.isFinite(file.lastModified) && file.lastModified > 0
      ? new Date(file.lastModified).toISOString()
      : undefined;
  return modified === undefined
    ? { filename: file.name }
    : { filename: file.name, createdAt: modified, modifiedAt: modified };
}

/** The raw upload's URL for `file`, with {@link uploadFields} in its query string. */
export function uploadUrl(file: Pick<File, 'name' | 'lastModified'>): string {
  return `${UPLOAD_PATH}${queryString(uploadFields(file))}`;
}

/**
 * Sends `file`: a photo as one raw request, a file of {@link RESUMABLE_FROM_BYTES} or more (a
 * video) as a resumable upload that survives a dropped connection.
 */
export function sendAnyFile(file: File, onProgress: (loaded: number) => void): UploadRequest {
  if (file.size < RESUMABLE_FROM_BYTES) return sendFile(file, onProgress);
  return sendFileResumable(file, uploadFields(file), onProgress);
}

/**
 * Sends `file` as the raw request body. XMLHttpRequest, not fetch: only it reports upload
 * progress. The browser streams the file from disk; nothing here reads it.
 *
 * @example
 * const request = sendFile(file, (loaded) => (entry.loaded = loaded));
 * cancelButton.onclick = () => request.abort();
 * const outcome = await request.done;
 */
export function sendFile(file: File, onProgress: (loaded: number) => void): UploadRequest {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open('POST', uploadUrl(file));
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onabort = () => resolve({ kind: 'cancelled' });
    xhr.onerror = () =>
      resolve({
        kind: 'failed',
        error: new ApiError(NETWORK_ERROR, 0, 'The upload was cut off before the server answered.'),
      });
    xhr.onload = () => resolve(readAnswer(xhr));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

function readAnswer(xhr: XMLHttpRequest): UploadOutcome {
  let parsed: unknown;
  if ((xhr.getResponseHeader('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(xhr.responseText);
    } catch {
      parsed = undefined;
    }
  }
  try {
    const envelope = isEnvelope<UploadResult>(parsed) ? parsed : undefined;
    return { kind: 'stored', result: unwrapEnvelope<UploadResult>(xhr.status, envelope) };
  } catch (error) {
    return { kind: 'failed', error: error as ApiError };
  }
}
