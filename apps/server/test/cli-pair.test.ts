import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseTargets,
  OWNER,
  register,
  setupOwner,
  startHttpsTestServer,
  startTestServer,
  type TestServer,
} from './helper.js';

// jsqr is CommonJS: under NodeNext its callable decoder is the `default` property.
const jsQR = jsQRModule.default;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

function runCli(args: string[], env: Record<string, string>, stdin?: string) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin ?? '');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

const HALF_BLOCKS: Record<string, [top: boolean, bottom: boolean]> = {
  ' ': [false, false],
  '▀': [true, false],
  '▄': [false, true],
  '█': [true, true],
};

/**
 * The QR codes printed in the terminal, in order, read back by a real decoder (jsqr) from an
 * image drawn from the half-block characters, as a phone's camera would read the screen.
 */
function terminalQrCodes(stdout: string): string[] {
  // eslint-disable-next-line no-control-regex
  const lines = stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const blocks: string[][] = [];
  let block: string[] = [];
  for (const line of lines) {
    if (line.length > 0 && /^[ ▀▄█]+$/.test(line)) block.push(line);
    else if (block.length > 0) {
      blocks.push(block);
      block = [];
    }
  }
  if (block.length > 0) blocks.push(block);
  return blocks.map((rows) => {
    const modules = rows.flatMap((row) => {
      const pairs = [...row].map((char) => HALF_BLOCKS[char]!);
      return [pairs.map(([top]) => top), pairs.map(([, bottom]) => bottom)];
    });
    const scale = 4;
    const width = modules[0]!.length * scale;
    const height = modules.length * scale;
    const pixels = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const value = modules[Math.floor(y / scale)]![Math.floor(x / scale)] ? 0 : 255;
        pixels.set([value, value, value, 255], (y * width + x) * 4);
      }
    }
    const read = jsQR(pixels, width, height);
    if (!read) throw new Error('a QR code in the output could not be read');
    return read.data;
  });
}

describe('iclood pair (headless pairing)', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer(databaseTargets[0]!);
    await setupOwner(server.app);
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('prints a terminal QR code and the manual code, which pairs a phone', async () => {
    const result = await runCli(['pair', '--url', url, '--user', OWNER.username], {
      ICLOOD_PASSWORD: OWNER.password,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const code = /type this code in the app: ([A-Z]{4}-[A-Z]{4})/.exec(result.stdout)?.[1];
    expect(code).toBeDefined();
    expect(result.stdout).not.toContain(OWNER.password);
    // One code (HTTPS is off): the pairing page's link on this server.
    const [link, ...more] = terminalQrCodes(result.stdout);
    expect(more).toEqual([]);
    expect(new URL(link!).port).toBe(new URL(url).port);
    expect(link).toMatch(/^http:\/\/[^/]+\/pair#v=1&s=/);
    expect(result.stdout).not.toContain('First time on this iPhone');

    const paired = await register(server.app, { code });
    expect(paired.statusCode).toBe(201);
    // The CLI signed out after itself.
    const sessions = await server.database.db.selectFrom('auth_sessions').select(['revoked_at']).execute();
    expect(sessions.filter((s) => s.revoked_at === null)).toHaveLength(1); // the setup session only
  });

  it('reads the password from stdin when not in the environment', async () => {
    const result = await runCli(['pair', '--url', url, '--user', OWNER.username], {}, `${OWNER.password}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('type this code in the app');
  });

  it('says clearly what is wrong: bad password, no server', async () => {
    const wrong = await runCli(['pair', '--url', url, '--user', OWNER.username], { ICLOOD_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('iclood: Wrong username or password (INVALID_CREDENTIALS)\n');
    const away = await runCli(['pair', '--url', 'http://127.0.0.1:1', '--user', 'x'], {
      ICLOOD_PASSWORD: 'x',
    });
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/cannot reach the iClood server at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('iclood pair with HTTPS on', () => {
  let server: TestServer;
  let httpUrl: string;
  let httpsPort: number;
  beforeAll(async () => {
    let httpPort: number;
    ({ server, httpPort, httpsPort } = await startHttpsTestServer(databaseTargets[0]!));
    await setupOwner(server.app);
    httpUrl = `http://127.0.0.1:${httpPort}`;
  });
  afterAll(() => server.close());

  it('prints the secure code and the first-time plain-HTTP code of the same pairing', async () => {
    const result = await runCli(['pair', '--url', httpUrl, '--user', OWNER.username], {
      ICLOOD_PASSWORD: OWNER.password,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [secure, firstTime, ...more] = terminalQrCodes(result.stdout);
    expect(more).toEqual([]);
    expect(new URL(secure!).protocol).toBe('https:');
    expect(new URL(secure!).port).toBe(String(httpsPort));
    expect(new URL(firstTime!).protocol).toBe('http:');
    expect(new URL(firstTime!).port).toBe(new URL(httpUrl).port);
    expect(new URL(firstTime!).pathname).toBe('/pair');
    // The same pairing: the same secret in both fragments.
    const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('s');
    const secret = secretOf(firstTime!);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secretOf(secure!)).toBe(secret);
    expect(result.stdout).toContain('First time on this iPhone? Scan this one instead');
    expect((await register(server.app, { secret })).statusCode).toBe(201);
  });
});
