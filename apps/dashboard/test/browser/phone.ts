// The browser tests' phone: what the iClood app does after scanning a pairing QR code (or being
// given its code), through the real API with a device token.
import { openAsBlob } from 'node:fs';
import jsQR from 'jsqr';
import sharp from 'sharp';
import type { BackupSession, CreatePairingResult, RegisterResult } from '@iclood/api-types';
import type { ApiSession } from './harness.js';

/** Reads a QR code from an image (PNG, SVG…): the text it holds, or throws when there is none. */
export async function decodeQr(image: Buffer): Promise<string> {
  // A white margin, as a camera would see around the code, helps the locator.
  const { data, info } = await sharp(image, { density: 300 })
    .flatten({ background: '#ffffff' })
    .extend({ top: 16, bottom: 16, left: 16, right: 16, background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const found = jsQR(
    new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    info.width,
    info.height,
  );
  if (!found) throw new Error(`No QR code could be read from the ${info.width}×${info.height} image`);
  return found.data;
}

/**
 * The secret (`s`) of a pairing payload: the pairing link (`http(s)://…/pair#v=1&s=…`) the
 * server puts in QR codes, or the older `iclood://pair?v=1&…` that apps still accept.
 */
export function pairingSecret(payload: string): string {
  const link = /^https?:\/\/[^?#]+\/pair#(.*)$/.exec(payload);
  const fields = link
    ? link[1]
    : payload.startsWith('iclood://pair?')
      ? payload.slice(payload.indexOf('?') + 1)
      : undefined;
  if (fields === undefined) throw new Error(`Not a pairing payload: ${payload.slice(0, 40)}`);
  const secret = new URLSearchParams(fields).get('s');
  if (!secret) throw new Error('The pairing payload has no secret');
  return secret;
}

type Envelope<T> =
  { status: 'success'; data: T } | { status: 'error'; error: { code: string; message: string } };

/** A JSON call with a device token (or none); resolves with the HTTP status and the envelope. */
export async function phoneCall<T>(
  origin: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; envelope: Envelope<T> }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${origin}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, envelope: (await response.json()) as Envelope<T> };
}

async function phoneJson<T>(
  origin: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<T> {
  const { status, envelope } = await phoneCall<T>(origin, method, path, { token, body });
  if (envelope.status !== 'success') {
    throw new Error(`${method} ${path} answered ${status}: ${envelope.error.code} ${envelope.error.message}`);
  }
  return envelope.data;
}

export interface PairedPhone {
  token: string;
  deviceId: string;
  name: string;
}

/** Registers a phone as the app does, with the QR secret or the typed code. */
export async function registerPhone(
  origin: string,
  via: { secret: string } | { code: string },
  deviceName: string,
): Promise<PairedPhone> {
  const { status, envelope } = await phoneCall<RegisterResult>(origin, 'POST', '/api/v1/auth/register', {
    body: { ...via, deviceName, platform: 'ios' },
  });
  if (envelope.status !== 'success') {
    throw new Error(`register answered ${status}: ${envelope.error.code} ${envelope.error.message}`);
  }
  // Only a web registration leaves the token out (it goes in a cookie); an app always gets it.
  if (envelope.data.token === undefined) throw new Error('register answered without a token');
  return { token: envelope.data.token, deviceId: envelope.data.device.id, name: envelope.data.device.name };
}

/** Pairs a phone without the page: a pairing opened through the API (for `userId`), then registered. */
export async function pairThroughApi(
  api: ApiSession,
  deviceName: string,
  userId?: string,
): Promise<PairedPhone> {
  const pairing = await api.json<CreatePairingResult>('POST', '/api/v1/pairing', userId ? { userId } : {});
  return registerPhone(api.origin, { secret: pairingSecret(pairing.qrPayload) }, deviceName);
}

/** What a device token may still do: the status of `GET /api/v1/backup/status` with it. */
export async function tokenStatus(origin: string, token: string): Promise<number> {
  return (await phoneCall(origin, 'GET', '/api/v1/backup/status', { token })).status;
}

/**
 * One backup session as the app runs it: start, upload each file with the session's id, stop
 * (with `error` to end it as failed). Returns the ended session and the uploaded items' ids.
 */
export async function backUp(
  origin: string,
  token: string,
  files: Array<{ path: string; name: string }>,
  options: { error?: string } = {},
): Promise<{ session: BackupSession; ids: string[] }> {
  const { session } = await phoneJson<{ session: BackupSession }>(
    origin,
    'POST',
    '/api/v1/backup/start',
    token,
    {
      expectedFiles: files.length,
    },
  );
  const ids: string[] = [];
  for (const file of files) {
    const query = new URLSearchParams({ filename: file.name, sessionId: session.id });
    const response = await fetch(`${origin}/api/v1/media/upload?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: await openAsBlob(file.path),
    });
    const body = (await response.json()) as Envelope<{ id: string }>;
    if (body.status !== 'success') throw new Error(`upload of ${file.name} answered ${response.status}`);
    ids.push(body.data.id);
  }
  const stopped = await phoneJson<{ session: BackupSession }>(origin, 'POST', '/api/v1/backup/stop', token, {
    sessionId: session.id,
    ...(options.error ? { error: options.error } : {}),
  });
  return { session: stopped.session, ids };
}
