import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, OWNER, register, setupOwner, startTestServer, type TestServer } from './helper.js';

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
    expect(result.stdout).toMatch(/[█▀▄]/);
    expect(result.stdout).not.toContain(OWNER.password);

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
