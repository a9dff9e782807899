// The "Back up with a Shortcut" page: the token made in the page (read from its field and from
// its QR code, both the server's SVG and the pixels on the screen), then used the way the
// Shortcut of the recipe uses it: session start, a raw upload named without an extension, stop.
import { existsSync, openAsBlob } from 'node:fs';
import { join } from 'node:path';
import type { BackupSession, BackupStatusResult, MediaDetail } from '@iclood/api-types';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  makePhoto,
  screenshot,
  type TestServer,
  useHousehold,
  freePort,
  startServerWithOwner,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const SHORTCUT_NAME = 'Anna’s iPhone Shortcut';

const household = useHousehold({ owner: OWNER });

const fieldValue = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

/** Decodes a QR code from an image (any format sharp reads), or undefined when none is found. */
async function decodeQr(image: Buffer, density?: number): Promise<string | undefined> {
  const source = sharp(image, density ? { density } : {});
  const { width = 0 } = await source.metadata();
  // A screenshot at phone size gives a dense code 2–3 px per module: enlarged without smoothing,
  // jsQR finds it as a phone's camera does.
  const { data, info } = await (density ? source : source.resize({ width: width * 3, kernel: 'nearest' }))
    .flatten({ background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)
    ?.data;
}

/** The SVG of the token's QR code, as the page has it. */
async function qrSvg(page: Page): Promise<Buffer> {
  const markup = await page
    .getByRole('img', { name: 'QR code of the token' })
    .locator('svg')
    .evaluate((svg) => new XMLSerializer().serializeToString(svg));
  return Buffer.from(markup, 'utf8');
}

/** One call as the Shortcut makes it: `Authorization: Bearer <token>`, JSON or a raw body. */
async function asShortcut(
  token: string,
  method: string,
  path: string,
  body?: { json?: unknown; file?: Blob; contentType?: string },
): Promise<{ status: number; json: { status: string; data?: unknown; error?: { code: string } } }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: BodyInit | undefined;
  if (body?.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body?.file) {
    headers['content-type'] = body.contentType ?? 'image/jpeg';
    payload = body.file;
  }
  const response = await fetch(`${household.origin}${path}`, { method, headers, body: payload });
  return { status: response.status, json: (await response.json()) as never };
}

describe('back up with a Shortcut', () => {
  it('is reachable from the account page and fills the recipe with this server’s address', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/account');
    await page.getByRole('link', { name: /^Back up with a Shortcut/ }).click();
    await page.waitForURL((url) => url.pathname === '/shortcut');
    await page.getByRole('heading', { level: 1, name: 'Back up with a Shortcut' }).waitFor();
    expect(await page.title()).toBe('Back up with a Shortcut · iClood');

    const origin = household.origin;
    expect(await fieldValue(page, 'Last backup URL')).toBe(`${origin}/api/v1/backup/status`);
    expect(await fieldValue(page, 'Start URL')).toBe(`${origin}/api/v1/backup/start`);
    expect(await fieldValue(page, 'Upload URL, first part')).toBe(`${origin}/api/v1/media/upload?filename=`);
    expect(await fieldValue(page, 'Upload URL, second part')).toBe('&sessionId=');
    expect(await fieldValue(page, 'Stop URL')).toBe(`${origin}/api/v1/backup/stop`);
    expect(await fieldValue(page, 'Key of the last backup time')).toBe('data.lastCompletedStartedAt');
    expect(await fieldValue(page, 'Key of the session id')).toBe('data.session.id');
    expect(await fieldValue(page, 'Content-Type value')).toBe('image/jpeg');
    // HTTPS is off here: no profile to install, and the page says so.
    expect(await page.getByLabel('Profile address').count()).toBe(0);
    await page.getByText('HTTPS is off on this server').waitFor();
    // Opened at 127.0.0.1: the phone could not reach that, and the page warns.
    await page.getByText('an address only this computer answers to').waitFor();
    // No token yet: no Auth value to copy.
    expect(await page.getByLabel('Text for the Auth variable').count()).toBe(0);

    await expectNoSeriousA11yViolations(page, 'shortcut guide, before the token');
    await screenshot(page, 'shortcut-guide-desktop', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says in words what is wrong with an empty name, and makes no token', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/shortcut');
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('   ');
    await name.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').first().innerText())
      .toContain('Give the Shortcut a name');
    const { devices } = await household.owner.json<{ devices: unknown[] }>('GET', '/api/v1/devices');
    expect(devices).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('makes an upload-only token shown once, whose field and QR code agree, and the Shortcut backs up with it', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP, {
      context: { permissions: ['clipboard-read', 'clipboard-write'] },
    });
    await page.goto('/shortcut');
    const name = page.getByLabel('Name', { exact: true });
    expect(await name.inputValue()).toBe("anna's iPhone Shortcut");
    // By keyboard: type the name, Enter submits.
    await name.fill(SHORTCUT_NAME);
    await name.press('Enter');

    await page.getByRole('heading', { name: `Step 1 · The token for “${SHORTCUT_NAME}”` }).waitFor();
    await page.getByText('You will not see this token again.').waitFor();
    const token = await fieldValue(page, 'Token');
    expect(token.length).toBeGreaterThan(100);
    expect(await page.getByLabel('Token', { exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await decodeQr(await qrSvg(page), 288)).toBe(token);
    expect(await fieldValue(page, 'Text for the Auth variable')).toBe(`Bearer ${token}`);

    // Copy puts the token itself on the clipboard.
    await page.getByRole('button', { name: 'Copy Token' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    await expectNoSeriousA11yViolations(page, 'shortcut guide, token shown');
    await screenshot(page, 'shortcut-token-desktop');

    // The server made exactly this device, a Shortcut allowed to upload only.
    const { devices } = await household.owner.json<{
      devices: Array<{ id: string; name: string; platform: string; scopes: string[] }>;
    }>('GET', '/api/v1/devices');
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      name: SHORTCUT_NAME,
      platform: 'shortcuts',
      scopes: ['media.upload'],
    });

    // Shown once: the page, opened again, has no token.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Back up with a Shortcut' }).waitFor();
    expect(await page.getByLabel('Token', { exact: true }).count()).toBe(0);

    // Now the Shortcut of the recipe, step by step.
    const before = await asShortcut(token, 'GET', '/api/v1/backup/status');
    expect(before.status).toBe(200);
    expect((before.json.data as BackupStatusResult).lastCompletedAt).toBeNull();

    const started = await asShortcut(token, 'POST', '/api/v1/backup/start', { json: { expectedFiles: 1 } });
    expect(started.status).toBe(201);
    const session = (started.json.data as { session: BackupSession }).session;

    const photo = await makePhoto({ takenAt: '2026:05:04 09:08:07', seed: 412 });
    expect(photo.size).toBeGreaterThan(1_000_000);
    const uploaded = await asShortcut(
      token,
      'POST',
      `/api/v1/media/upload?filename=IMG_0412&sessionId=${session.id}`,
      { file: await openAsBlob(photo.path) },
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.json.status).toBe('success');
    const mediaId = (uploaded.json.data as { id: string }).id;

    const stopped = await asShortcut(token, 'POST', '/api/v1/backup/stop', {
      json: { sessionId: session.id },
    });
    expect(stopped.status).toBe(200);
    expect((stopped.json.data as { session: BackupSession }).session).toMatchObject({
      status: 'completed',
      files: 1,
      bytes: photo.size,
    });
    const after = await asShortcut(token, 'GET', '/api/v1/backup/status');
    const lastCompletedAt = (after.json.data as BackupStatusResult).lastCompletedAt;
    expect(lastCompletedAt).not.toBeNull();
    expect(Date.parse(lastCompletedAt!)).toBeGreaterThanOrEqual(Date.parse(session.startedAt));

    // The photo is in the owner's library, from this Shortcut.
    const item = await household.owner.json<MediaDetail>('GET', `/api/v1/media/${mediaId}`);
    expect(item).toMatchObject({
      type: 'photo',
      mime: 'image/jpeg',
      size: photo.size,
      deviceId: devices[0]!.id,
    });
    expect(item.originalName.startsWith('IMG_0412')).toBe(true);
    expect(existsSync(join(household.server.libraryDir, item.relPath))).toBe(true);

    // Upload only: the token cannot read the library, the devices or the server's status.
    for (const path of ['/api/v1/media/list', '/api/v1/devices', '/api/v1/system/status']) {
      const denied = await asShortcut(token, 'GET', path);
      expect(denied.status, path).toBe(403);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('stores a photo named without an extension under the extension of its type', async () => {
    const { token } = await household.owner.json<{ token: string }>('POST', '/api/v1/devices', {
      name: 'Extension check',
      platform: 'shortcuts',
    });
    const photo = await makePhoto({ width: 1200, height: 900, seed: 413 });
    const uploaded = await asShortcut(token, 'POST', '/api/v1/media/upload?filename=IMG_0413', {
      file: await openAsBlob(photo.path),
    });
    expect(uploaded.status).toBe(201);
    const item = await household.owner.json<MediaDetail>(
      'GET',
      `/api/v1/media/${(uploaded.json.data as { id: string }).id}`,
    );
    expect(item.relPath.endsWith('/IMG_0413.jpg')).toBe(true);
  });

  it('works on a phone in dark mode: no sideways scrolling, the QR code reads from the screen, copy by keyboard', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, PHONE, {
      colorScheme: 'dark',
    });
    // Plain HTTP on the LAN has no clipboard API: the fallback selects the token.
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
    });
    await page.goto('/shortcut');
    await page.getByLabel('Name', { exact: true }).fill('Phone Shortcut');
    await page.getByRole('button', { name: 'Create the token' }).click();
    await page.getByText('You will not see this token again.').waitFor();
    const token = await fieldValue(page, 'Token');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // What the iPhone's camera would see: the image as drawn, on its light background.
    const qr = page.getByRole('img', { name: 'QR code of the token' });
    // In the middle of the screen, clear of the sticky header.
    await qr.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    expect(await decodeQr(await qr.screenshot())).toBe(token);

    // Keyboard: from the token field, Tab reaches its Copy button; Enter copies (here: selects all).
    const field = page.getByLabel('Token', { exact: true });
    await field.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Copy Token');
    await page.keyboard.press('Enter');
    await expect
      .poll(() =>
        field.evaluate((element: HTMLTextAreaElement) => [
          document.activeElement === element,
          element.selectionStart,
          element.selectionEnd,
        ]),
      )
      .toEqual([true, 0, token.length]);
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /Copied|Selected/ })
          .count(),
      )
      .toBe(1);

    await expectNoSeriousA11yViolations(page, 'shortcut guide, phone, dark');
    await screenshot(page, 'shortcut-token-phone-dark', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('back up with a Shortcut, HTTPS on', () => {
  let tlsServer: TestServer;
  let tlsPort: number;
  beforeAll(async () => {
    tlsPort = await freePort();
    ({ server: tlsServer } = await startServerWithOwner(OWNER, {
      env: { ICLOOD_TLS_PORT: String(tlsPort) },
    }));
  });
  afterAll(async () => {
    await tlsServer?.stop();
  });

  it('puts the HTTPS address in the recipe and explains installing and fully trusting the profile', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, PHONE, {
      origin: tlsServer.origin,
    });
    await page.goto('/shortcut');
    await page.getByRole('heading', { name: 'First: trust this server’s certificate' }).waitFor();
    const https = `https://127.0.0.1:${tlsPort}`;
    expect(await fieldValue(page, 'Last backup URL')).toBe(`${https}/api/v1/backup/status`);
    expect(await fieldValue(page, 'Upload URL, first part')).toBe(`${https}/api/v1/media/upload?filename=`);
    expect(await fieldValue(page, 'Stop URL')).toBe(`${https}/api/v1/backup/stop`);
    await page.getByText('Settings → General → About → Certificate Trust Settings').waitFor();

    // The profile address is this page's (the certificate is not trusted yet) and serves the profile.
    const profile = await fieldValue(page, 'Profile address');
    expect(profile).toBe(`${tlsServer.origin}/api/v1/system/ca.mobileconfig`);
    const response = await fetch(profile);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-apple-aspen-config');
    expect(await response.text()).toContain('com.apple.security.root');

    await expectNoSeriousA11yViolations(page, 'shortcut guide, HTTPS on, phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
