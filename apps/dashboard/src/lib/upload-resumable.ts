import type { UploadResult } from '@iclood/api-types';
import type { DetailedError, HttpResponse, Upload } from 'tus-js-client';
import { ApiError, NETWORK_ERROR, isEnvelope, unwrapEnvelope } from './api-client.js';
import type { UploadOutcome, UploadRequest } from './upload-request.js';

/** The server's resumable uploads (tus 1.0). */
export const RESUMABLE_UPLOADS_PATH = '/api/v1/uploads';

/**
 * Waits between attempts after the connection drops (phone out of Wi-Fi range, the server
 * restarting): each attempt asks the server where the upload stands and sends only the rest.
 * About three minutes in all, then the file shows as failed and Retry picks it up from the same byte.
 */
const RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000, 60_000];

/** `createdAt`, `modifiedAt` and the name, as the raw upload sends them in its query string. */
export type UploadMetadata = Record<string, string>;

function answerOf(response: HttpResponse): UploadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.getBody()) as unknown;
  } catch {
    parsed = undefined;
  }
  return unwrapEnvelope<UploadResult>(
    response.getStatus(),
    isEnvelope<UploadResult>(parsed) ? parsed : undefined,
  );
}

function failureOf(error: Error): ApiError {
  const response = (error as Partial<DetailedError>).originalResponse;
  if (response) {
    try {
      answerOf(response);
    } catch (refusal) {
      if (refusal instanceof ApiError) return refusal;
    }
  }
  return new ApiError(
    NETWORK_ERROR,
    0,
    'The connection to iClood was lost and did not come back; Retry carries on from where it stopped.',
  );
}

/**
 * Sends `file` as a resumable upload (tus-js-client, loaded only when a large file is sent): the
 * body streams from the file in one PATCH, and when the connection drops the client asks the server
 * for the offset it holds and sends only the rest, here or after a reload (the upload's URL is kept
 * in this browser's storage under the file's name, size and date, and forgotten once stored).
 * Cancelling abandons the upload on the server too. Its last answer is the upload's own: 201 added,
 * 200 already there, or the same refusals as the raw upload.
 */
export function sendFileResumable(
  file: File,
  metadata: UploadMetadata,
  onProgress: (loaded: number) => void,
): UploadRequest {
  let upload: Upload | undefined;
  let cancelled = false;
  let settle: (outcome: UploadOutcome) => void = () => undefined;
  const done = new Promise<UploadOutcome>((resolve) => (settle = resolve));

  void (async () => {
    const tus = await import('tus-js-client');
    if (cancelled) return;
    upload = new tus.Upload(file, {
      endpoint: new URL(RESUMABLE_UPLOADS_PATH, location.origin).href,
      metadata,
      headers: { Accept: 'application/json' },
      retryDelays: RETRY_DELAYS_MS,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => onProgress(sent),
      onSuccess: ({ lastResponse }) => {
        try {
          settle({ kind: 'stored', result: answerOf(lastResponse) });
        } catch (error) {
          settle({ kind: 'failed', error: error as ApiError });
        }
      },
      onError: (error) => settle({ kind: 'failed', error: failureOf(error) }),
    });
    // The same file cut off earlier (in this tab or before a reload) carries on from its offset.
    const [previous] = await upload.findPreviousUploads();
    if (previous) upload.resumeFromPreviousUpload(previous);
    if (!cancelled) upload.start();
  })().catch((error: unknown) =>
    settle({
      kind: 'failed',
      error: new ApiError(NETWORK_ERROR, 0, `The upload could not start: ${(error as Error).message}`),
    }),
  );

  return {
    done,
    abort: () => {
      cancelled = true;
      // true: the server drops what it holds of this file (tus termination).
      void upload?.abort(true).catch(() => undefined);
      settle({ kind: 'cancelled' });
    },
  };
}
