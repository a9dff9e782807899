import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../../../errors.js';

/**
 * The "Resumable Uploads for HTTP" draft (IETF httpbis) as Apple's URLSession speaks it: interop
 * version 3 (iOS 17, `Upload-Incomplete`), 5 and 6 (iOS 18, `Upload-Complete`; 6 sends its
 * appended parts as `application/partial-upload`).
 */
export const DRAFT_INTEROP_VERSIONS = [3, 5, 6] as const;
export type DraftInteropVersion = (typeof DRAFT_INTEROP_VERSIONS)[number];
export const DRAFT_PARTIAL_CONTENT_TYPE = 'application/partial-upload';

/** The interop version a request speaks, when it is one this server knows. */
export function draftInteropVersion(headers: IncomingHttpHeaders): DraftInteropVersion | undefined {
  const value = Number(headers['upload-draft-interop-version']);
  return DRAFT_INTEROP_VERSIONS.find((version) => version === value);
}

function structuredBoolean(value: string | string[] | undefined, header: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === '?1') return true;
  if (value === '?0') return false;
  throw new ApiError('VALIDATION_FAILED', `${header} must be ?1 or ?0`, [
    { field: `headers/${header.toLowerCase()}`, message: 'must be ?1 or ?0' },
  ]);
}

/** Whether this request's body ends the upload: `Upload-Complete: ?1` (5, 6), no `Upload-Incomplete: ?1` (3). */
export function draftCompletes(version: DraftInteropVersion, headers: IncomingHttpHeaders): boolean {
  if (version === 3) return structuredBoolean(headers['upload-incomplete'], 'Upload-Incomplete') !== true;
  const complete = structuredBoolean(headers['upload-complete'], 'Upload-Complete');
  if (complete === undefined) {
    throw new ApiError('VALIDATION_FAILED', 'Upload-Complete is required', [
      { field: 'headers/upload-complete', message: 'is required' },
    ]);
  }
  return complete;
}

/** `Upload-Complete` or, for version 3, `Upload-Incomplete`, saying whether the upload is whole. */
export function draftStateHeaders(
  reply: FastifyReply,
  version: DraftInteropVersion,
  state: { offset: number; complete: boolean },
): void {
  reply.header('upload-draft-interop-version', String(version));
  reply.header('upload-offset', String(state.offset));
  if (version === 3) reply.header('upload-incomplete', state.complete ? '?0' : '?1');
  else reply.header('upload-complete', state.complete ? '?1' : '?0');
}

/**
 * `104 Upload Resumption Supported`, sent before the body is read: it gives the client the
 * upload's URL, where it resumes (HEAD for the offset, PATCH for the rest) if the connection drops.
 * Node has no API for an arbitrary 1xx; it is written to the socket as Node writes `100 Continue`,
 * before anything else of the response.
 */
export function sendUploadResumptionSupported(
  raw: ServerResponse,
  version: DraftInteropVersion,
  location: string,
): void {
  raw.socket?.write(
    `HTTP/1.1 104 Upload Resumption Supported\r\nUpload-Draft-Interop-Version: ${version}\r\n` +
      `Location: ${location}\r\n\r\n`,
  );
}
