// The one place that reads the environment (and `.env`). Everything else receives a ServerConfig.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  port: number;
  host: string;
  /** Absolute. Holds db/ (embedded), thumbs/, secrets/, backups/. */
  dataDir: string;
  /** Absolute. The originals, usually an external disk. */
  libraryDir: string;
  /** Unset → embedded PGlite in `<dataDir>/db`. */
  databaseUrl: string | undefined;
  /** Owner created at start when no user exists (headless setup). */
  admin: { username: string; password: string } | undefined;
  mdns: { enabled: boolean; host: string };
  tlsPort: number | undefined;
  publicUrl: string | undefined;
  minFreeBytes: number;
  /** Largest upload accepted; unset → only the free disk (and minFreeBytes) limits it. */
  maxUploadBytes: number | undefined;
  /** Socket limits (plugins/app/connection-limits.ts). */
  connections: {
    /** Time allowed for a request's headers, and for a body the server parses (JSON). */
    requestTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed: a stalled upload, a gone phone. */
    idleTimeoutMs: number;
    /** Open connections accepted at once, per listener; more are closed as they arrive. */
    max: number;
  };
  trashDays: number;
  /** A resumable upload untouched this long is abandoned: its row and bytes are removed. */
  uploadExpiryHours: number;
  /** Sign-in attempts (and wrong current passwords) allowed per client address per minute. */
  loginAttemptsPerMinute: number;
  logLevel: LogLevel;
}

/** A configuration problem, reported at start as one line naming the variable. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** `process.env` over the values in `<cwd>/.env` (the real environment wins). */
export function readEnvironment(cwd: string = process.cwd()): Environment {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseEnv(readFileSync(resolve(cwd, '.env'), 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fromFile, ...process.env };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

function value(env: Environment, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number;
function integer(
  env: Environment,
  name: string,
  fallback: undefined,
  min: number,
  max: number,
): number | undefined;
function integer(env: Environment, name: string, fallback: number | undefined, min: number, max: number) {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function boolean(env: Environment, name: string, fallback: boolean): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${env[name]}")`);
}

function byteSize(env: Environment, name: string, fallback: number): number;
function byteSize(env: Environment, name: string, fallback: undefined): number | undefined;
function byteSize(env: Environment, name: string, fallback: number | undefined) {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(name, `must be a size in bytes, e.g. 1073741824, 500MB or 1GiB (got "${raw}")`);
  }
  return Math.floor(Number(match[1]) * unit);
}

function directory(env: Environment, name: string, fallback: string, cwd: string): string {
  const raw = value(env, name) ?? fallback;
  if (raw.includes('\0')) throw new ConfigError(name, 'must be a directory path');
  return isAbsolute(raw) ? resolve(raw) : resolve(cwd, raw);
}

function url(env: Environment, name: string, protocols: string[]): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Never echo a connection string: it may hold a password.
    throw new ConfigError(name, `must be a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')} (got "${parsed.protocol}")`);
  }
  return raw;
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Reads and validates the configuration (DESIGN §3). Throws a ConfigError naming the first bad
 * variable; the caller prints its message and exits.
 */
export function loadConfig(env: Environment, cwd: string = process.cwd()): ServerConfig {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = value(env, 'HOST') ?? '0.0.0.0';
  if (!isIP(host) && !HOSTNAME.test(host)) {
    throw new ConfigError('HOST', `must be an IP address or host name, e.g. 0.0.0.0 (got "${host}")`);
  }
  const dataDir = directory(env, 'ICLOOD_DATA_DIR', './data', cwd);
  const libraryDir = directory(env, 'ICLOOD_LIBRARY_DIR', resolve(dataDir, 'library'), cwd);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);

  const adminUsername = value(env, 'ICLOOD_ADMIN_USERNAME');
  const adminPassword = env['ICLOOD_ADMIN_PASSWORD'];
  if (adminUsername !== undefined && !USERNAME.test(adminUsername)) {
    throw new ConfigError('ICLOOD_ADMIN_USERNAME', 'must be 1-64 letters, digits, ".", "_" or "-"');
  }
  if (adminUsername !== undefined && (adminPassword === undefined || adminPassword === '')) {
    throw new ConfigError('ICLOOD_ADMIN_PASSWORD', 'must be set when ICLOOD_ADMIN_USERNAME is set');
  }
  if (adminUsername === undefined && adminPassword) {
    throw new ConfigError('ICLOOD_ADMIN_USERNAME', 'must be set when ICLOOD_ADMIN_PASSWORD is set');
  }
  if (adminPassword && adminPassword.length < 8) {
    throw new ConfigError('ICLOOD_ADMIN_PASSWORD', 'must be at least 8 characters');
  }

  const mdnsHost = value(env, 'ICLOOD_MDNS_HOST') ?? 'iclood.local';
  if (!HOSTNAME.test(mdnsHost)) {
    throw new ConfigError('ICLOOD_MDNS_HOST', `must be a host name such as iclood.local (got "${mdnsHost}")`);
  }
  const tlsPort = integer(env, 'ICLOOD_TLS_PORT', undefined, 1, 65535);
  if (tlsPort !== undefined && tlsPort === port) {
    throw new ConfigError('ICLOOD_TLS_PORT', `must differ from PORT (${port})`);
  }

  const logLevel = (value(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${env['LOG_LEVEL']}")`);
  }

  const maxUploadBytes = byteSize(env, 'ICLOOD_MAX_UPLOAD_BYTES', undefined);
  if (maxUploadBytes === 0) {
    throw new ConfigError('ICLOOD_MAX_UPLOAD_BYTES', 'must be more than 0 (leave it unset for no limit)');
  }

  return {
    port,
    host,
    dataDir,
    libraryDir,
    databaseUrl,
    admin: adminUsername ? { username: adminUsername, password: adminPassword! } : undefined,
    mdns: { enabled: boolean(env, 'ICLOOD_MDNS', true), host: mdnsHost },
    tlsPort,
    publicUrl: url(env, 'ICLOOD_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    minFreeBytes: byteSize(env, 'ICLOOD_MIN_FREE_BYTES', 2 ** 30),
    maxUploadBytes,
    connections: {
      // Node refuses a headers timeout above its request timeout, which it sets to 5 minutes.
      requestTimeoutMs: integer(env, 'ICLOOD_REQUEST_TIMEOUT_SECONDS', 15, 1, 300) * 1000,
      // Long enough for a phone to ride out a Wi-Fi roam; short enough that a phone gone for good
      // does not hold a socket, a file and a `.part` for long.
      idleTimeoutMs: integer(env, 'ICLOOD_IDLE_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
      // Each connection is a socket and, while uploading, a file: well under a Pi's 1024 descriptors.
      max: integer(env, 'ICLOOD_MAX_CONNECTIONS', 256, 1, 65535),
    },
    trashDays: integer(env, 'ICLOOD_TRASH_DAYS', 30, 0, 36500),
    uploadExpiryHours: integer(env, 'ICLOOD_UPLOAD_EXPIRY_HOURS', 24, 1, 8760),
    loginAttemptsPerMinute: integer(env, 'ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE', 10, 1, 1000),
    logLevel: logLevel as LogLevel,
  };
}

/** What the `iclood` command-line tool needs to reach a running server and sign in. */
export interface CliSettings {
  serverUrl: string;
  username: string | undefined;
  password: string | undefined;
}

/**
 * `ICLOOD_URL` (default `http://127.0.0.1:$PORT`), `ICLOOD_USERNAME` (or the admin one) and
 * `ICLOOD_PASSWORD` (or the admin one); flags given on the command line win.
 */
export function loadCliSettings(env: Environment): CliSettings {
  const port = integer(env, 'PORT', 8080, 1, 65535);
  const serverUrl = url(env, 'ICLOOD_URL', ['http:', 'https:']) ?? `http://127.0.0.1:${port}`;
  return {
    serverUrl: serverUrl.replace(/\/+$/, ''),
    username: value(env, 'ICLOOD_USERNAME') ?? value(env, 'ICLOOD_ADMIN_USERNAME'),
    password: env['ICLOOD_PASSWORD'] || env['ICLOOD_ADMIN_PASSWORD'] || undefined,
  };
}
