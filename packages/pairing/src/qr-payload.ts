import { PairingError } from './errors.js';
import { normalizePairingCode } from './pairing-code.js';

/** What the pairing QR code carries. */
export interface PairingPayload {
  /** Every LAN URL the server answers at, most preferred first (e.g. `https://iclood.local:8443`). */
  urls: string[];
  /** The pairing secret, 32 bytes base64url. */
  secret: string;
  /** The manual code, canonical form, so the app can show it as a fallback. */
  code: string;
  /** The server's id, so the app recognises a server it already knows. */
  serverId: string;
  /** SHA-256 of the server certificate's public key, when HTTPS is on, for the app to pin. */
  fingerprint?: string;
}

/** What the QR code of an iOS Shortcut token carries. */
export interface TokenPayload {
  urls: string[];
  /** The device token itself: whoever scans this QR code can use it. */
  token: string;
  serverId: string;
  fingerprint?: string;
}

const SCHEME = 'iclood:';
const VERSION = '1';
const MAX_URLS = 16;
const MAX_URL_LENGTH = 2048;

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SERVER_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
// Hex, colon-separated hex, base64 or base64url: whichever the TLS side prints.
const FINGERPRINT_PATTERN = /^[A-Za-z0-9+/=:_-]{16,256}$/;
// A JWT or any other token made of visible ASCII.
const TOKEN_PATTERN = /^[\x21-\x7e]{1,4096}$/;

/**
 * `iclood://pair?v=1&u=<url>&u=<url2>…&s=<secret>&c=<code>&id=<server id>&fp=<fingerprint>`:
 * `u` once per URL in order of preference, `fp` only when given. Values are percent-encoded
 * with `encodeURIComponent`, so a `+` is `%2B` and a space `%20`, which iOS's `URLComponents`
 * and every other RFC 3986 decoder read back the same. Throws `PairingError`
 * `PAIRING_PAYLOAD_INVALID` when a field could not be parsed back.
 *
 * @example
 * buildPairingPayload({ urls: ['http://192.168.1.20:8080'], secret, code: 'BDFGHJKL', serverId })
 * // 'iclood://pair?v=1&u=http%3A%2F%2F192.168.1.20%3A8080&s=…&c=BDFGHJKL&id=…'
 */
export function buildPairingPayload(payload: PairingPayload): string {
  const code = checkCode(payload.code);
  return buildPayload('pair', [
    ...checkUrls(payload.urls).map((url): Param => ['u', url]),
    ['s', checkSecret(payload.secret)],
    ['c', code],
    ['id', checkServerId(payload.serverId)],
    ...optionalFingerprint(payload.fingerprint),
  ]);
}

/**
 * Reads a scanned pairing QR code back. Throws `PairingError` `PAIRING_PAYLOAD_INVALID` for
 * anything that is not a version 1 `iclood://pair` URL with valid fields; unknown parameters
 * are ignored so later versions can add some. Error messages never echo the input, which holds
 * the secret.
 */
export function parsePairingPayload(text: string): PairingPayload {
  const params = readPayload(text, 'pair');
  const payload: PairingPayload = {
    urls: checkUrls(params.all('u')),
    secret: checkSecret(params.one('s')),
    code: checkCode(params.one('c')),
    serverId: checkServerId(params.one('id')),
  };
  const fingerprint = params.optional('fp');
  if (fingerprint !== undefined) payload.fingerprint = checkFingerprint(fingerprint);
  return payload;
}

/**
 * `iclood://token?v=1&u=<url>…&t=<token>&id=<server id>&fp=<fingerprint>`, the QR code an iOS
 * Shortcut's "Scan QR Code" action reads its token from. Encoded like
 * {@link buildPairingPayload}.
 */
export function buildTokenPayload(payload: TokenPayload): string {
  return buildPayload('token', [
    ...checkUrls(payload.urls).map((url): Param => ['u', url]),
    ['t', checkToken(payload.token)],
    ['id', checkServerId(payload.serverId)],
    ...optionalFingerprint(payload.fingerprint),
  ]);
}

/** Reads a token QR code back; throws like {@link parsePairingPayload}. */
export function parseTokenPayload(text: string): TokenPayload {
  const params = readPayload(text, 'token');
  const payload: TokenPayload = {
    urls: checkUrls(params.all('u')),
    token: checkToken(params.one('t')),
    serverId: checkServerId(params.one('id')),
  };
  const fingerprint = params.optional('fp');
  if (fingerprint !== undefined) payload.fingerprint = checkFingerprint(fingerprint);
  return payload;
}

type PayloadKind = 'pair' | 'token';
type Param = [key: string, value: string];

function buildPayload(kind: PayloadKind, params: Param[]): string {
  const query = [['v', VERSION] as Param, ...params]
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `${SCHEME}//${kind}?${query}`;
}

interface PayloadParams {
  all(key: string): string[];
  /** The value of a key that must appear exactly once. */
  one(key: string): string;
  /** The value of a key that may appear at most once. */
  optional(key: string): string | undefined;
}

function readPayload(text: string, kind: PayloadKind): PayloadParams {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('The QR code does not hold a URL');
  }
  // Non-special schemes keep their host as written, so compare it case-insensitively.
  if (url.protocol !== SCHEME || url.host.toLowerCase() !== kind) {
    throw invalid(`The QR code is not an iClood ${kind === 'pair' ? 'pairing' : 'token'} code`);
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    (url.pathname !== '' && url.pathname !== '/') ||
    url.hash !== ''
  ) {
    throw invalid('The QR code has parts an iClood code never has');
  }

  const values = new Map<string, string[]>();
  for (const pair of url.search.slice(1).split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const key = decode(rawKey);
    values.set(key, [...(values.get(key) ?? []), decode(rawValue)]);
  }

  const params: PayloadParams = {
    all: (key) => values.get(key) ?? [],
    optional: (key) => {
      const found = values.get(key);
      if (found !== undefined && found.length > 1) throw invalid(`The QR code repeats "${key}"`);
      return found?.[0];
    },
    one: (key) => {
      const value = params.optional(key);
      if (value === undefined) throw invalid(`The QR code lacks "${key}"`);
      return value;
    },
  };
  if (params.one('v') !== VERSION) throw invalid('The QR code is from an unsupported iClood version');
  return params;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw invalid('The QR code has broken percent-encoding');
  }
}

function checkUrls(urls: readonly string[]): string[] {
  if (urls.length === 0) throw invalid('A server URL is required');
  if (urls.length > MAX_URLS) throw invalid(`At most ${MAX_URLS} server URLs fit`);
  for (const url of urls) {
    if (!isServerUrl(url))
      throw invalid('Server URLs are absolute http:// or https:// URLs without credentials');
  }
  return [...urls];
}

function isServerUrl(text: string): boolean {
  if (text.length > MAX_URL_LENGTH || text.trim() !== text) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  );
}

function checkSecret(secret: string): string {
  if (!SECRET_PATTERN.test(secret)) throw invalid('The pairing secret is not 32 bytes of base64url');
  return secret;
}

function checkCode(code: string): string {
  const canonical = normalizePairingCode(code);
  if (canonical === undefined) throw invalid('The pairing code is not 8 letters of the pairing alphabet');
  return canonical;
}

function checkServerId(serverId: string): string {
  if (!SERVER_ID_PATTERN.test(serverId)) throw invalid('The server id is malformed');
  return serverId;
}

function checkToken(token: string): string {
  if (!TOKEN_PATTERN.test(token)) throw invalid('The token is malformed');
  return token;
}

function checkFingerprint(fingerprint: string): string {
  if (!FINGERPRINT_PATTERN.test(fingerprint)) throw invalid('The certificate fingerprint is malformed');
  return fingerprint;
}

function optionalFingerprint(fingerprint: string | undefined): Param[] {
  return fingerprint === undefined ? [] : [['fp', checkFingerprint(fingerprint)]];
}

function invalid(message: string): PairingError {
  return new PairingError('PAIRING_PAYLOAD_INVALID', message);
}
