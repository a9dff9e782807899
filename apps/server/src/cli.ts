#!/usr/bin/env node
// `iclood pair`: pair a phone with a headless Pi. Signs in to the running server, opens a pairing,
// prints its QR code in the terminal and the manual code, and (with --wait) reports the result.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import type { CreatePairingResult, LoginResult, PairingStatusResult } from '@iclood/api-types';
import { renderQrTerminal } from '@iclood/pairing';
import { ConfigError, loadCliSettings, readEnvironment } from './config.js';

const USAGE = `Usage: iclood pair [--url http://127.0.0.1:8080] [--user NAME] [--wait]

Prints a QR code and a code to pair a phone. The password is read from ICLOOD_PASSWORD
(or ICLOOD_ADMIN_PASSWORD), else asked for.`;

class CliError extends Error {}

async function api<T>(
  serverUrl: string,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body) headers.set('content-type', 'application/json');
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  let response: Response;
  try {
    response = await fetch(`${serverUrl}${path}`, { ...init, headers });
  } catch {
    throw new CliError(`cannot reach the iClood server at ${serverUrl}; is it running? (set --url)`);
  }
  const body = (await response.json().catch(() => undefined)) as
    | { status: 'success'; data: T }
    | { status: 'error'; error: { code: string; message: string } }
    | undefined;
  if (!body)
    throw new CliError(`${serverUrl} did not answer like an iClood server (HTTP ${response.status})`);
  if (body.status === 'error') throw new CliError(`${body.error.message} (${body.error.code})`);
  return body.data;
}

function askPassword(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    // Piped: the first line of stdin is the password.
    return new Promise((resolve) => {
      const lines = createInterface({ input });
      lines.once('line', (line) => {
        resolve(line); // before close(), whose 'close' event would resolve with ''
        lines.close();
      });
      lines.once('close', () => resolve(''));
    });
  }
  process.stdout.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let password = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stdout.write('\n');
          resolve(password);
          return;
        }
        if (char === '\u0003') process.exit(130);
        password = char === '\u007f' ? password.slice(0, -1) : password + char;
      }
    };
    input.on('data', onData);
  });
}

async function pair(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { url: { type: 'string' }, user: { type: 'string' }, wait: { type: 'boolean', default: false } },
  });
  const settings = loadCliSettings(readEnvironment());
  const serverUrl = (values.url ?? settings.serverUrl).replace(/\/+$/, '');
  const username = values.user ?? settings.username;
  if (!username) throw new CliError('say who signs in: --user NAME (or ICLOOD_USERNAME)');
  const password = settings.password ?? (await askPassword(`Password for ${username}: `));

  const login = await api<LoginResult>(serverUrl, '/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  });
  try {
    const pairing = await api<CreatePairingResult>(serverUrl, '/api/v1/pairing', {
      method: 'POST',
      token: login.token,
    });
    const expires = new Date(pairing.expiresAt);
    // With HTTPS on, an iPhone that does not trust the server's certificate yet gets Safari's
    // warning from the main code: the first-time code opens the same pairing over plain HTTP, whose
    // page shows how to install the certificate profile first.
    const firstTime = pairing.qrPayloadHttp
      ? `\nFirst time on this iPhone? Scan this one instead: it shows how to let the iPhone trust\n` +
        `iClood's certificate, then pairs the same way:\n\n${await renderQrTerminal(pairing.qrPayloadHttp)}\n`
      : '';
    process.stdout.write(
      `\nScan this with your iPhone's camera (it opens the pairing page) or the iClood app:\n\n${await renderQrTerminal(pairing.qrPayload)}\n` +
        firstTime +
        `Or type this code in the app: ${pairing.code}\n` +
        `Valid until ${expires.toLocaleTimeString()} (10 minutes), for one phone.\n`,
    );
    if (values.wait) await waitForPhone(serverUrl, login.token, pairing.id, expires);
  } finally {
    // The CLI's own login session is not left behind.
    await api(serverUrl, '/api/v1/auth/logout', { method: 'DELETE', token: login.token }).catch(
      () => undefined,
    );
  }
}

async function waitForPhone(serverUrl: string, token: string, id: string, expires: Date): Promise<void> {
  process.stdout.write('Waiting for the phone…\n');
  while (Date.now() < expires.getTime() + 2_000) {
    const status = await api<PairingStatusResult>(serverUrl, `/api/v1/pairing/${id}`, { token });
    if (status.status === 'claimed') {
      process.stdout.write(`Paired: ${status.device?.name ?? 'a device'}\n`);
      return;
    }
    if (status.status !== 'pending')
      throw new CliError(`the pairing is ${status.status}; run iclood pair again`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  throw new CliError('the pairing expired; run iclood pair again');
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'pair') return pair(rest);
  process.stdout.write(`${USAGE}\n`);
  if (command !== undefined && command !== 'help' && command !== '--help') process.exitCode = 2;
}

main().catch((error: unknown) => {
  const known = error instanceof CliError || error instanceof ConfigError;
  process.stderr.write(`iclood: ${known ? error.message : String(error)}\n`);
  process.exit(1);
});
