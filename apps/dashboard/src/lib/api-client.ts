import type { ErrorDetail, ErrorEnvelope, SuccessEnvelopeOf } from '@iclood/api-types';

/** Codes made up by the client when no iClood envelope came back; the server never sends them. */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE';
/** A bug in the page itself, not a server answer. */
export const CLIENT_ERROR = 'CLIENT_ERROR';

// A Pi on a busy USB disk can be slow, but a request that hangs forever helps nobody.
const REQUEST_TIMEOUT_MS = 20_000;

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

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

/** Turns anything a `catch` receives into an `ApiError`, so views handle one shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(CLIENT_ERROR, 0, message, [], error);
}

/**
 * Calls the same-origin iClood API, sends the session cookie, and unwraps the response envelope.
 *
 * @example
 * const { needed } = await apiRequest<SetupStatus>('GET', '/api/v1/setup');
 */
export async function apiRequest<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  try {
    return await sendRequest<T>(method, path, body);
  } catch (error) {
    // A session that ended (expired, signed out elsewhere, revoked) sends the person to sign-in.
    if (error instanceof ApiError && error.status === 401 && !path.startsWith('/api/v1/auth/')) {
      notifySessionEnded();
    }
    throw error;
  }
}

const sessionEndedListeners = new Set<() => void>();

/** Sends the person to sign-in: for a 401 met outside `apiRequest` (an upload's XMLHttpRequest). */
export function notifySessionEnded(): void {
  for (const listener of sessionEndedListeners) listener();
}

/** Called whenever a request other than sign-in itself answers 401; returns the unsubscribe. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** `?a=1&b=2` from the defined values of `query`, or '' when there are none. */
export function queryString(query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

async function sendRequest<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
  // Only with a body: Fastify rejects an empty body declared as JSON.
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
    const message = timedOut
      ? 'The iClood server did not answer in time.'
      : 'Cannot reach the iClood server.';
    throw new ApiError(NETWORK_ERROR, 0, message, [], cause);
  }

  return unwrapEnvelope<T>(response.status, await readEnvelope<T>(response));
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

async function readEnvelope<T>(
  response: Response,
): Promise<SuccessEnvelopeOf<T> | ErrorEnvelope | undefined> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return undefined;
  }
  return isEnvelope<T>(parsed) ? parsed : undefined;
}

// A shape check, not validation: enough to tell an iClood envelope from a proxy's or a router's JSON.
export function isEnvelope<T>(value: unknown): value is SuccessEnvelopeOf<T> | ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { status?: unknown; data?: unknown; error?: { code?: unknown } | null };
  if (candidate.status === 'success') return 'data' in candidate;
  return candidate.status === 'error' && typeof candidate.error?.code === 'string';
}
