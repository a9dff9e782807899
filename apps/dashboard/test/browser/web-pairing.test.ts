// Pairing with the iPhone's own camera: the QR code on "Add a phone" is a link to the server's
// pairing page. The test reads the code off the owner's page, opens its link in an iPhone-sized
// browser with Safari's user agent, pairs that browser as a web device and lands in the library;
// the owner's page turns to "paired", and removing the device on the phones page signs the phone out.
import { readFile } from 'node:fs/promises';
import type { DeviceList, MediaList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  freePort,
  makePhoto,
  newPage,
  screenshot,
  startServerWithOwner,
  useHousehold,
} from './harness.js';
import { decodeQr } from './phone.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.5 Mobile/15E148 Safari/604.1';

const household = useHousehold({ owner: OWNER });

/**
 * The iPhone: a fresh browser at 390×844 with Safari's user agent, nobody signed in. With
 * `trustsCa`, it trusts the server's certificate, as it does once the CA profile is installed.
 */
const iPhone = (colorScheme: 'light' | 'dark' = 'light', origin = household.origin, trustsCa = false) =>
  newPage(household.browser, origin, PHONE, {
    colorScheme,
    context: { userAgent: IPHONE_SAFARI, ...(trustsCa ? { ignoreHTTPSErrors: true } : {}) },
  });

/** Errors other than the answers Chromium logs for refused calls: 401 while nobody is signed in, 409 for a used code. */
const unexpected = (errors: string[]) =>
  errors.filter((line) => !/status of (401 \(Unauthorized\)|409 \(Conflict\))/.test(line));

/** The owner opens Add a phone; the camera reads the QR code the page shows. */
async function scanAddPhoneQr(page: Page): Promise<string> {
  await page.goto('/devices/add');
  await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
  return readQr(page, /Pairing QR code/);
}

/** The camera reads the QR code image named `name` on the page as it is. */
async function readQr(page: Page, name: RegExp): Promise<string> {
  const image = page.getByRole('img', { name });
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
    .toBe(true);
  return decodeQr(await image.screenshot());
}

const pairingHeading = (page: Page) =>
  page.getByRole('heading', { name: /^Pair this iPhone with .+ for anna$/ });

describe('pairing with the camera: the QR link opens the pairing page', () => {
  it('the link pairs an iPhone browser, the owner sees it paired, and removing it signs the phone out', async () => {
    const owner = await household.signedInPage(OWNER, DESKTOP);
    const link = await scanAddPhoneQr(owner.page);

    // A link to this server's pairing page (HTTPS is off here), with the pairing in the fragment.
    const url = new URL(link);
    expect(url.origin).toBe(household.origin);
    expect(url.pathname).toBe('/pair');
    expect(url.search).toBe('');
    const fields = new URLSearchParams(url.hash.slice(1));
    expect(fields.get('v')).toBe('1');
    expect(fields.get('s')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fields.get('c')).toMatch(/^[A-Z]{8}$/);

    const phone = await iPhone();
    const requested: string[] = [];
    phone.page.on('request', (request) => requested.push(request.url()));
    await phone.page.goto(link);
    await pairingHeading(phone.page).waitFor();
    // The fragment is read, then cleared from the address bar; no request carried it.
    expect(new URL(phone.page.url()).hash).toBe('');
    expect(requested.some((sent) => sent.includes(fields.get('s')!))).toBe(false);
    const name = phone.page.getByRole('textbox', { name: 'Name of this iPhone' });
    expect(await name.inputValue()).toBe("anna's iPhone");
    await expectNoSeriousA11yViolations(phone.page, 'pairing page (iPhone)');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone.page, 'pair-page-iphone');

    // By keyboard: a new name, then Enter.
    await name.fill("Anna's iPhone");
    await name.press('Enter');
    await phone.page.waitForURL('**/photos');
    await phone.page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    const me = await phone.page.request.get('/api/v1/auth/me');
    expect(me.status()).toBe(200);
    const { data } = (await me.json()) as {
      data: { auth: { kind: string; id: string }; user: { username: string } };
    };
    expect(data.auth.kind).toBe('device');
    expect(data.user.username).toBe('anna');
    // The device token is in an httpOnly cookie, out of the page's reach.
    const cookies = await phone.context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'iclood_device')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await phone.page.evaluate(() => document.cookie)).toBe('');
    // A phone signed in as a device does not offer what only a signed-in person may do.
    expect(await phone.page.getByRole('link', { name: 'Add a phone' }).count()).toBe(0);

    // The owner's Add a phone screen turns to paired.
    await owner.page.getByRole('heading', { name: "Anna's iPhone is paired" }).waitFor({ timeout: 10_000 });
    const { devices } = await household.owner.json<DeviceList>('GET', '/api/v1/devices');
    const paired = devices.find((device) => device.id === data.auth.id);
    expect(paired).toMatchObject({ name: "Anna's iPhone", platform: 'web' });
    expect([...paired!.scopes].sort()).toEqual(['media.read', 'media.upload', 'media.write']);

    // The owner removes it on the phones page; the phone's next page load is signed out.
    await owner.page.goto('/devices');
    await owner.page
      .getByRole('article', { name: "Anna's iPhone", exact: true })
      .getByRole('button', { name: "Remove Anna's iPhone" })
      .click();
    await owner.page
      .getByRole('dialog', { name: "Remove Anna's iPhone?" })
      .getByRole('button', { name: 'Remove and stop backups' })
      .click();
    await owner.page.getByText("Anna's iPhone was removed.").waitFor();
    await phone.page.reload();
    await phone.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await phone.page.request.get('/api/v1/auth/me')).status()).toBe(401);

    // Opened again, the used link says so in words.
    const again = await iPhone();
    await again.page.goto(link);
    await again.page.getByRole('heading', { name: 'This code was already used' }).waitFor();
    await again.page.getByText('This pairing has already been used.', { exact: false }).waitFor();

    expect(owner.errors).toEqual([]);
    expect(unexpected(phone.errors)).toEqual([]);
    expect(unexpected(again.errors)).toEqual([]);
    await Promise.all([owner.context.close(), phone.context.close(), again.context.close()]);
  });

  it('dark mode at 390 px is readable, and a link without a code says how to get one', async () => {
    const owner = await household.signedInPage(OWNER, DESKTOP);
    const link = await scanAddPhoneQr(owner.page);
    const phone = await iPhone('dark');
    await phone.page.goto(link);
    await pairingHeading(phone.page).waitFor();
    await expectNoSeriousA11yViolations(phone.page, 'pairing page (iPhone, dark)');
    await screenshot(phone.page, 'pair-page-iphone-dark');

    const bare = await iPhone();
    await bare.page.goto('/pair');
    await bare.page.getByRole('heading', { name: 'Scan the code again' }).waitFor();
    await expectNoSeriousA11yViolations(bare.page, 'pairing page without a code (iPhone)');
    expect(owner.errors).toEqual([]);
    expect(unexpected(phone.errors)).toEqual([]);
    expect(unexpected(bare.errors)).toEqual([]);
    await Promise.all([owner.context.close(), phone.context.close(), bare.context.close()]);
  });
});

describe('a paired phone unpairs itself', () => {
  it('This phone explains the pairing, and Unpair signs the phone out and removes the device', async () => {
    const owner = await household.signedInPage(OWNER, DESKTOP);
    const link = await scanAddPhoneQr(owner.page);
    const phone = await iPhone('dark');
    await phone.page.goto(link);
    await pairingHeading(phone.page).waitFor();
    await phone.page.getByRole('textbox', { name: 'Name of this iPhone' }).fill('Leaving iPhone');
    await phone.page.getByRole('button', { name: 'Pair', exact: true }).click();
    await phone.page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    const me = (await (await phone.page.request.get('/api/v1/auth/me')).json()) as {
      data: { auth: { id: string } };
    };
    const deviceId = me.data.auth.id;

    // The header's phone link, not an account: no password, no other sessions to sign out.
    await phone.page.getByRole('link', { name: 'This phone' }).click();
    await phone.page.getByRole('heading', { name: 'This phone', level: 1 }).waitFor();
    expect(await phone.page.title()).toBe('This phone · iClood');
    expect(await phone.page.getByRole('heading', { name: 'Change your password' }).count()).toBe(0);
    expect(await phone.page.getByRole('link', { name: 'Your account and settings' }).count()).toBe(0);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoSeriousA11yViolations(phone.page, 'this phone (iPhone, dark)');
    await screenshot(phone.page, 'this-phone-iphone-dark');

    // The pages for a signed-in person say in words that they are not for a phone, with a way back.
    for (const path of ['/devices', '/devices/add', '/people', '/storage', '/shortcut']) {
      await phone.page.goto(path);
      await phone.page.getByRole('heading', { name: 'Not on this phone', level: 1 }).waitFor();
    }
    await expectNoSeriousA11yViolations(phone.page, 'a person-only page on a paired phone (dark)');
    await phone.page.getByRole('link', { name: 'Go to your photos' }).click();
    await phone.page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await phone.page.goto('/account');
    await phone.page.getByRole('heading', { name: 'This phone', level: 1 }).waitFor();

    // Changing its mind first keeps it paired.
    await phone.page.getByRole('button', { name: 'Unpair this phone' }).click();
    const dialog = phone.page.getByRole('dialog', { name: 'Unpair this phone?' });
    await dialog.getByRole('button', { name: 'Keep it paired' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await phone.page.request.get('/api/v1/auth/me')).status()).toBe(200);

    // By keyboard: Unpair, then confirm.
    await phone.page.getByRole('button', { name: 'Unpair this phone' }).focus();
    await phone.page.keyboard.press('Enter');
    await expectNoSeriousA11yViolations(phone.page, 'unpair this phone dialog (iPhone, dark)');
    await dialog.getByRole('button', { name: 'Unpair and sign out' }).focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await phone.page.getByText('You have signed out.').waitFor();
    expect((await phone.page.request.get('/api/v1/auth/me')).status()).toBe(401);
    expect((await phone.context.cookies()).find((cookie) => cookie.name === 'iclood_device')).toBeUndefined();
    // The device is gone from the owner's phones.
    const { devices } = await household.owner.json<DeviceList>('GET', '/api/v1/devices');
    expect(devices.some((device) => device.id === deviceId)).toBe(false);

    expect(owner.errors, owner.errors.join('\n')).toEqual([]);
    expect(unexpected(phone.errors), phone.errors.join('\n')).toEqual([]);
    await Promise.all([owner.context.close(), phone.context.close()]);
  });
});

describe('with HTTPS on, an iPhone without the certificate profile', () => {
  it('scans the first-time code, gets the profile steps over plain HTTP, and continues on the secure page', async () => {
    const tlsPort = await freePort();
    const https = `https://127.0.0.1:${tlsPort}`;
    const { server } = await startServerWithOwner(OWNER, { env: { ICLOOD_TLS_PORT: String(tlsPort) } });
    try {
      const owner = await household.signedInPage(OWNER, DESKTOP, { origin: server.origin });
      // Both codes: the usual one on the secure page, and the first-time one over plain HTTP.
      const main = await scanAddPhoneQr(owner.page);
      expect(main.startsWith(`${https}/pair#v=1&s=`)).toBe(true);
      await owner.page
        .getByRole('heading', { name: 'First time on this iPhone? Scan this one first' })
        .waitFor();
      const link = await readQr(owner.page, /First-time QR code/);
      const url = new URL(link);
      expect(url.origin).toBe(server.origin);
      expect(url.protocol).toBe('http:');
      expect(url.pathname).toBe('/pair');
      const fields = new URLSearchParams(url.hash.slice(1));
      expect(fields.get('s')).toBe(new URLSearchParams(new URL(main).hash.slice(1)).get('s'));
      await expectNoSeriousA11yViolations(owner.page, 'add a phone with the first-time code');
      await screenshot(owner.page, 'add-phone-first-time-code', { fullPage: true });

      const phone = await iPhone('light', server.origin);
      const requested: string[] = [];
      phone.page.on('request', (request) => requested.push(request.url()));
      await phone.page.goto(link);
      await pairingHeading(phone.page).waitFor();
      const steps = phone.page.getByRole('region', { name: 'First, let this iPhone trust iClood' });
      const profile = steps.getByRole('link', { name: 'Install the iClood certificate profile' });
      const profileUrl = new URL((await profile.getAttribute('href'))!, server.origin);
      expect(profileUrl.href).toBe(`${server.origin}/api/v1/system/ca.mobileconfig`);
      const download = await phone.page.request.get(profileUrl.href);
      expect(download.status()).toBe(200);
      expect(download.headers()['content-type']).toMatch(/^application\/x-apple-aspen-config/);
      expect((await download.text()).includes('com.apple.security.root')).toBe(true);
      await steps.getByText('Settings → General → About → Certificate Trust Settings').waitFor();
      const onward = steps.getByRole('link', { name: 'Continue on the secure page' });
      expect(await onward.getAttribute('href')).toBe(`${https}/pair${url.hash}`);
      // It may still pair over this connection.
      await phone.page.getByRole('button', { name: 'Pair over this connection' }).waitFor();
      // The secret left the page in no request.
      expect(requested.some((sent) => sent.includes(fields.get('s')!))).toBe(false);
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await expectNoSeriousA11yViolations(phone.page, 'pairing page over HTTP (iPhone)');
      await screenshot(phone.page, 'pair-page-http-iphone', { fullPage: true });

      // By keyboard to the onward link, as the profile is installed now: the secure page.
      const dark = await iPhone('dark', server.origin, true);
      await dark.page.goto(link);
      await pairingHeading(dark.page).waitFor();
      await expectNoSeriousA11yViolations(dark.page, 'pairing page over HTTP (iPhone, dark)');
      await screenshot(dark.page, 'pair-page-http-iphone-dark', { fullPage: true });
      await dark.page.getByRole('link', { name: 'Continue on the secure page' }).focus();
      await dark.page.keyboard.press('Enter');
      await dark.page.waitForURL(`${https}/pair`);
      await pairingHeading(dark.page).waitFor();
      expect(await dark.page.getByRole('link', { name: 'Continue on the secure page' }).count()).toBe(0);
      await dark.page.getByRole('button', { name: 'Pair', exact: true }).click();
      await dark.page.waitForURL(`${https}/photos`);
      const me = await dark.page.request.get(`${https}/api/v1/auth/me`);
      expect(((await me.json()) as { data: { auth: { kind: string } } }).data.auth.kind).toBe('device');

      expect(owner.errors, owner.errors.join('\n')).toEqual([]);
      expect(unexpected(phone.errors), phone.errors.join('\n')).toEqual([]);
      // ignoreHTTPSErrors lets pages through but not a service worker's script, which an installed
      // profile would (web-app.test.ts checks the service worker over trusted HTTPS). Chromium words
      // that refusal by how far the fetch got (a certificate error, or an unknown error when the
      // page moves on first), with or without the script's URL.
      const serviceWorkerRefused = /^console: An? [a-zA-Z ]+ error occurred when fetching the script\./;
      const darkErrors = unexpected(dark.errors).filter((line) => !serviceWorkerRefused.test(line));
      expect(darkErrors, dark.errors.join('\n')).toEqual([]);
      await Promise.all([owner.context.close(), phone.context.close(), dark.context.close()]);
    } finally {
      await server.stop();
    }
  });
});

describe('a phone paired as a web device backs up photos', () => {
  it('uploads two real photos with Back up photos into the library, and is signed out once removed', async () => {
    // Real phone-sized photos (~3.5 MB each).
    const photos = await Promise.all(
      [1, 2].map((day) => makePhoto({ takenAt: `2025-07-0${day} 18:15:00`, seed: 1600 + day })),
    );
    const owner = await household.signedInPage(OWNER, DESKTOP);
    const link = await scanAddPhoneQr(owner.page);
    const phone = await iPhone('dark');
    await phone.page.goto(link);
    await pairingHeading(phone.page).waitFor();
    await phone.page.getByRole('textbox', { name: 'Name of this iPhone' }).fill('Backup iPhone');
    await phone.page.getByRole('button', { name: 'Pair', exact: true }).click();
    await phone.page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    const { devices } = await household.owner.json<DeviceList>('GET', '/api/v1/devices');
    const device = devices.find((candidate) => candidate.name === 'Backup iPhone')!;
    expect(device).toMatchObject({ platform: 'web' });

    const pick = async () => {
      const [chooser] = await Promise.all([
        phone.page.waitForEvent('filechooser'),
        phone.page.getByRole('button', { name: 'Back up photos' }).click(),
      ]);
      await chooser.setFiles(
        await Promise.all(
          photos.map(async (file) => ({
            name: file.name,
            mimeType: 'image/jpeg',
            buffer: await readFile(file.path),
          })),
        ),
      );
    };
    await pick();
    const panel = phone.page.getByRole('region', { name: 'Uploads' });
    await panel.getByText('2 added').waitFor({ timeout: 60_000 });

    // In anna's library, each the size of the photo picked.
    const { items } = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=500');
    for (const file of photos) {
      expect(file.size).toBeGreaterThan(2_000_000);
      expect(file.size).toBeLessThan(6_000_000);
      expect(items.find((item) => item.name === file.name)?.size).toBe(file.size);
    }

    // Removed on the phones page's API, the phone's next backup attempt lands on the sign-in page.
    const removed = await household.owner.fetch(`/api/v1/devices/${device.id}`, { method: 'DELETE' });
    expect(removed.status).toBeLessThan(300);
    await pick();
    await phone.page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    expect((await phone.page.request.get('/api/v1/auth/me')).status()).toBe(401);
    const { items: still } = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=500');
    expect(still.length).toBe(items.length);

    expect(owner.errors).toEqual([]);
    expect(unexpected(phone.errors)).toEqual([]);
    await Promise.all([owner.context.close(), phone.context.close()]);
  }, 180_000);
});
