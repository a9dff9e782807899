import { ApiError, NETWORK_ERROR, readEnvelope, unwrapEnvelope } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A query value: arrays repeat the key (`albums=a&albums=b`); undefined, null and '' are left out. */
export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface ClientOptions {
  /** The server's origin, e.g. `https://iclood.local:8443`; omitted: the page's own origin. */
  baseUrl?: string;
  /**
   * A device token, sent as `Authorization: Bearer …` (command-line clients, Shortcuts). Without
   * one the browser's session cookie is sent (same origin only).
   */
  token?: string;
  /** How long a JSON call may take before it fails with `NETWORK_ERROR`; default 20 s. */
  timeoutMs?: number;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
  /** Called when a call other than sign-in answers 401: the session ended or the token was revoked. */
  onUnauthorized?: () => void;
}

// A Pi on a busy USB disk can be slow, but a request that hangs forever helps nobody.
const DEFAULT_TIMEOUT_MS = 20_000;

/** `?a=1&b=2` from the defined values of `query`, or '' when there are none. */
export function queryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'object') for (const item of value) params.append(key, item);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export interface Transport {
  /** The absolute (or, without `baseUrl`, origin-relative) URL of an API path. */
  url(path: string): string;
  /** A JSON call: sends `body` as JSON when given, unwraps the envelope, throws `ApiError`. */
  request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
  /** Any request with the client's auth; resolves with the data of the envelope it answers. */
  send<T>(path: string, init: RequestInit, options?: { timeoutMs?: number | null }): Promise<T>;
}

/** A signal that aborts when any of `signals` does (AbortSignal.any is too new for Safari 16). */
function anyOf(signals: AbortSignal[]): AbortSignal | undefined {
  if (signals.length <= 1) return signals[0];
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

export function createTransport(options: ClientOptions): Transport {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const url = (path: string) => `${base}${path}`;

  async function send<T>(
    path: string,
    init: RequestInit,
    sendOptions: { timeoutMs?: number | null } = {},
  ): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    if (options.token) headers.set('authorization', `Bearer ${options.token}`);
    const limit = sendOptions.timeoutMs === undefined ? timeoutMs : sendOptions.timeoutMs;
    const signals = [init.signal, limit === null ? undefined : AbortSignal.timeout(limit)].filter(
      (signal): signal is AbortSignal => signal !== undefined && signal !== null,
    );
    let response: Response;
    try {
      response = await fetchImpl(url(path), {
        ...init,
        headers,
        credentials: options.token ? 'omit' : 'same-origin',
        cache: 'no-store',
        signal: anyOf(signals),
      });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
      const message = timedOut
        ? 'The iClood server did not answer in time.'
        : 'Cannot reach the iClood server.';
      throw new ApiError(NETWORK_ERROR, 0, message, [], cause);
    }
    try {
      return unwrapEnvelope<T>(response.status, await readEnvelope<T>(response));
    } catch (error) {
      // A session that ended (expired, signed out elsewhere, revoked) or a revoked token.
      if (error instanceof ApiError && error.status === 401 && !path.startsWith('/api/v1/auth/')) {
        options.onUnauthorized?.();
      }
      throw error;
    }
  }

  return {
    url,
    send,
    request<T>(method: HttpMethod, path: string, body?: unknown) {
      // Only with a body: Fastify rejects an empty body declared as JSON.
      const init: RequestInit =
        body === undefined
          ? { method }
          : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      return send<T>(path, init);
    },
  };
}
