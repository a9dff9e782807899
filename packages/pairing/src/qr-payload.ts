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
/** The server's pairing page, below the first URL. */
const PAIRING_PAGE = '/pair';
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
 * The pairing link: `<first URL>/pair#v=1&s=<secret>&c=<code>&id=<server id>&fp=<fingerprint>&u=<url2>…`.
 * The iPhone's Camera app opens it in Safari, where the server's pairing page registers the
 * browser; the iClood app, scanning in the app, reads the same fields. The fields sit in the
 * fragment, which a browser never sends, so they reach no log or proxy. The first (preferred)
 * URL is the link itself, each further URL is a `u` in order of preference, `fp` only when
 * given. Values are percent-encoded with `encodeURIComponent`, so a `+` is `%2B` and a space
 * `%20`, which iOS's `URLComponents` and every other RFC 3986 decoder read back the same.
 * Throws `PairingError` `PAIRING_PAYLOAD_INVALID` when a field could not be parsed back, or
 * when the first URL cannot carry the page (a query, a fragment or a trailing slash).
 *
 * @example
 * buildPairingPayload({ urls: ['https://iclood.local:8443', 'http://192.168.1.20:8080'], secret, code: 'BDFGHJKL', serverId })
 * // 'https://iclood.local:8443/pair#v=1&s=…&c=BDFGHJKL&id=…&u=http%3A%2F%2F192.168.1.20%3A8080'
 */
export function buildPairingPayload(payload: PairingPayload): string {
  const [first, ...others] = checkUrls(payload.urls);
  const fragment = encodeParams([
    ['v', VERSION],
    ['s', checkSecret(payload.secret)],
    ['c', checkCode(payload.code)],
    ['id', checkServerId(payload.serverId)],
    ...optionalFingerprint(payload.fingerprint),
    ...others.map((url): Param => ['u', url]),
  ]);
  return `${checkPageBase(first!)}${PAIRING_PAGE}#${fragment}`;
}

/**
 * Reads a scanned pairing QR code back: the pairing link {@link buildPairingPayload} makes, or
 * the older `iclood://pair?v=1&u=<url>…&s=…&c=…&id=…&fp=…` form (every URL a `u`), which apps
 * still accept for a while. Throws `PairingError` `PAIRING_PAYLOAD_INVALID` for anything else
 * or for invalid fields; unknown parameters are ignored so later versions can add some. Error
 * messages never echo the input, which holds the secret.
 */
export function parsePairingPayload(text: string): PairingPayload {
  const link = readPairingLink(text);
  const params = link ? link.params : readPayload(text, 'pair');
  const payload: PairingPayload = {
    urls: checkUrls(link ? [link.base, ...params.all('u')] : params.all('u')),
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
  return `${SCHEME}//${kind}?${encodeParams([['v', VERSION], ...params])}`;
}

function encodeParams(params: Param[]): string {
  return params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
}

/** The first URL, which the pairing page is appended to: it must read back exactly. */
function checkPageBase(base: string): string {
  let page: URL | undefined;
  try {
    page = new URL(`${base}${PAIRING_PAGE}`);
  } catch {
    page = undefined;
  }
  if (
    base.endsWith('/') ||
    page?.href !== `${base}${PAIRING_PAGE}` ||
    page.search !== '' ||
    page.hash !== ''
  ) {
    throw invalid(
      'The first server URL carries the pairing page: no query, fragment, trailing slash or unencoded characters',
    );
  }
  return base;
}

/**
 * The fields of an `http(s)://…/pair#…` link, or undefined when `text` is not a web link at all
 * (then it may be the older `iclood://` form).
 */
function readPairingLink(text: string): { base: string; params: PayloadParams } | undefined {
  const hashAt = text.indexOf('#');
  const head = hashAt === -1 ? text : text.slice(0, hashAt);
  let url: URL;
  try {
    url = new URL(head);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (
    hashAt === -1 ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    !head.endsWith(PAIRING_PAGE)
  ) {
    throw invalid('The QR code is not an iClood pairing link');
  }
  return { base: head.slice(0, -PAIRING_PAGE.length), params: readParams(text.slice(hashAt + 1)) };
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

  return readParams(url.search.slice(1));
}

/** `key=value&…` (a query or a fragment), checked for version 1. */
function readParams(text: string): PayloadParams {
  const values = new Map<string, string[]>();
  for (const pair of text.split('&')) {
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
