import type { ErrorDetail, ErrorEnvelope, SuccessEnvelopeOf } from '@iclood/api-types';

/** Codes made up by the client when no iClood envelope came back; the server never sends them. */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE';
/** A bug in the calling code itself, not a server answer. */
export const CLIENT_ERROR = 'CLIENT_ERROR';

/**
 * A failed API call. `code` is the server's stable error code (`INVALID_CREDENTIALS`,
 * `RATE_LIMITED`, …) or one of the client's own `NETWORK_ERROR` / `UNEXPECTED_RESPONSE`;
 * `status` is the HTTP status, 0 when no response arrived.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;
  readonly details: readonly ErrorDetail[];

  constructor(
    code: string,
    status: number,
    message: string,
    details: readonly ErrorDetail[] = [],
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** True when the server could not be reached or is not an iClood API at all. */
  get isUnreachable(): boolean {
    return this.code === NETWORK_ERROR || this.code === UNEXPECTED_RESPONSE;
  }
}

/** Turns anything a `catch` receives into an `ApiError`, so callers handle one shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(CLIENT_ERROR, 0, message, [], error);
}

/** The data of a success envelope, or the `ApiError` an error envelope (or anything else) means. */
export function unwrapEnvelope<T>(
  status: number,
  envelope: SuccessEnvelopeOf<T> | ErrorEnvelope | undefined,
): T {
  if (envelope === undefined) {
    throw new ApiError(
      UNEXPECTED_RESPONSE,
      status,
      `The server answered HTTP ${status}, but not with an iClood API response.`,
    );
  }
  if (envelope.status === 'success') return envelope.data;
  const { code, message, details } = envelope.error;
  throw new ApiError(code, status, message || envelope.message, details ?? []);
}

// A shape check, not validation: enough to tell an iClood envelope from a proxy's or a router's JSON.
export function isEnvelope<T>(value: unknown): value is SuccessEnvelopeOf<T> | ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { status?: unknown; data?: unknown; error?: { code?: unknown } | null };
  if (candidate.status === 'success') return 'data' in candidate;
  return candidate.status === 'error' && typeof candidate.error?.code === 'string';
}

/** The envelope of a fetch response, or undefined when the body is not an iClood envelope. */
export async function readEnvelope<T>(
  response: Response,
): Promise<SuccessEnvelopeOf<T> | ErrorEnvelope | undefined> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) {
    await response.body?.cancel();
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return undefined;
  }
  return isEnvelope<T>(parsed) ? parsed : undefined;
}
