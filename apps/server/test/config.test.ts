import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readEnvironment } from '../src/config.js';

describe('configuration', () => {
  it('has the DESIGN §3 defaults, with paths resolved against the working directory', () => {
    const config = loadConfig({}, '/srv/iclood');
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/iclood/data',
      libraryDir: '/srv/iclood/data/library',
      databaseUrl: undefined,
      admin: undefined,
      mdns: { enabled: true, host: 'iclood.local' },
      tlsPort: undefined,
      publicUrl: undefined,
      minFreeBytes: 1024 ** 3,
      maxUploadBytes: undefined,
      connections: { requestTimeoutMs: 15_000, idleTimeoutMs: 60_000, max: 256 },
      trashDays: 30,
      uploadExpiryHours: 24,
      loginAttemptsPerMinute: 10,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        ICLOOD_DATA_DIR: '/var/lib/iclood',
        ICLOOD_LIBRARY_DIR: '/mnt/usb/photos',
        DATABASE_URL: 'postgres://iclood:pw@db:5432/iclood',
        ICLOOD_ADMIN_USERNAME: 'mum',
        ICLOOD_ADMIN_PASSWORD: 'long enough',
        ICLOOD_MDNS: 'false',
        ICLOOD_MDNS_HOST: 'photos.local',
        ICLOOD_TLS_PORT: '8443',
        ICLOOD_PUBLIC_URL: 'https://photos.local:8443/',
        ICLOOD_MIN_FREE_BYTES: '500MB',
        ICLOOD_MAX_UPLOAD_BYTES: '8GiB',
        ICLOOD_REQUEST_TIMEOUT_SECONDS: '5',
        ICLOOD_IDLE_TIMEOUT_SECONDS: '120',
        ICLOOD_MAX_CONNECTIONS: '64',
        ICLOOD_TRASH_DAYS: '7',
        ICLOOD_UPLOAD_EXPIRY_HOURS: '48',
        ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE: '30',
        LOG_LEVEL: 'DEBUG',
      },
      '/ignored',
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/iclood',
      libraryDir: '/mnt/usb/photos',
      databaseUrl: 'postgres://iclood:pw@db:5432/iclood',
      admin: { username: 'mum', password: 'long enough' },
      mdns: { enabled: false, host: 'photos.local' },
      tlsPort: 8443,
      publicUrl: 'https://photos.local:8443',
      minFreeBytes: 500_000_000,
      maxUploadBytes: 8 * 1024 ** 3,
      connections: { requestTimeoutMs: 5_000, idleTimeoutMs: 120_000, max: 64 },
      trashDays: 7,
      uploadExpiryHours: 48,
      loginAttemptsPerMinute: 30,
      logLevel: 'debug',
    });
    expect(loadConfig({ ICLOOD_MIN_FREE_BYTES: '2GiB' }).minFreeBytes).toBe(2 * 1024 ** 3);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['HOST', { HOST: 'not a host!' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
    ['ICLOOD_ADMIN_PASSWORD', { ICLOOD_ADMIN_USERNAME: 'mum' }],
    ['ICLOOD_ADMIN_USERNAME', { ICLOOD_ADMIN_PASSWORD: 'long enough' }],
    ['ICLOOD_ADMIN_USERNAME', { ICLOOD_ADMIN_USERNAME: 'mum dad', ICLOOD_ADMIN_PASSWORD: 'long enough' }],
    ['ICLOOD_ADMIN_PASSWORD', { ICLOOD_ADMIN_USERNAME: 'mum', ICLOOD_ADMIN_PASSWORD: 'short' }],
    ['ICLOOD_MDNS', { ICLOOD_MDNS: 'maybe' }],
    ['ICLOOD_MDNS_HOST', { ICLOOD_MDNS_HOST: 'bad_host..local' }],
    ['ICLOOD_TLS_PORT', { ICLOOD_TLS_PORT: '8080' }],
    ['ICLOOD_PUBLIC_URL', { ICLOOD_PUBLIC_URL: 'ftp://x' }],
    ['ICLOOD_MIN_FREE_BYTES', { ICLOOD_MIN_FREE_BYTES: 'lots' }],
    ['ICLOOD_MAX_UPLOAD_BYTES', { ICLOOD_MAX_UPLOAD_BYTES: 'huge' }],
    ['ICLOOD_MAX_UPLOAD_BYTES', { ICLOOD_MAX_UPLOAD_BYTES: '0' }],
    ['ICLOOD_REQUEST_TIMEOUT_SECONDS', { ICLOOD_REQUEST_TIMEOUT_SECONDS: '0' }],
    ['ICLOOD_REQUEST_TIMEOUT_SECONDS', { ICLOOD_REQUEST_TIMEOUT_SECONDS: '301' }],
    ['ICLOOD_IDLE_TIMEOUT_SECONDS', { ICLOOD_IDLE_TIMEOUT_SECONDS: '1.5' }],
    ['ICLOOD_MAX_CONNECTIONS', { ICLOOD_MAX_CONNECTIONS: '0' }],
    ['ICLOOD_TRASH_DAYS', { ICLOOD_TRASH_DAYS: '-1' }],
    ['ICLOOD_UPLOAD_EXPIRY_HOURS', { ICLOOD_UPLOAD_EXPIRY_HOURS: '0' }],
    ['ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE', { ICLOOD_LOGIN_ATTEMPTS_PER_MINUTE: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ])('stops with one line naming %s when it is invalid', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres//user:hunter22@db' })).toThrow(/DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: 'postgres//user:hunter22@db' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter22');
    }
  });

  it('reads .env from the working directory, with the real environment taking precedence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iclood-env-'));
    await writeFile(join(dir, '.env'), 'ICLOOD_TEST_ONLY_A=from-file\nICLOOD_TEST_ONLY_B="quoted value"\n');
    process.env['ICLOOD_TEST_ONLY_A'] = 'from-env';
    try {
      const env = readEnvironment(dir);
      expect(env['ICLOOD_TEST_ONLY_A']).toBe('from-env');
      expect(env['ICLOOD_TEST_ONLY_B']).toBe('quoted value');
    } finally {
      delete process.env['ICLOOD_TEST_ONLY_A'];
    }
    expect(readEnvironment(join(dir, 'missing'))['ICLOOD_TEST_ONLY_B']).toBeUndefined();
  });
});
