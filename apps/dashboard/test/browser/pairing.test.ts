// Adding a phone: the test plays the phone. It reads the QR code (or the typed code) off the
// page, registers through the API as the iClood app does, and the page turns into "paired"
// without a reload; the device's token then works until the device is removed on /devices.
import type { DeviceList, MediaList, SystemStatus, UserSummary } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApiCallError,
  DESKTOP,
  PHONE,
  apiSession,
  createMember,
  expectNoSeriousA11yViolations,
  makePhoto,
  screenshot,
  useHousehold,
  freePort,
  startServerWithOwner,
} from './harness.js';
import { backUp, decodeQr, pairingSecret, registerPhone, tokenStatus } from './phone.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const MEMBER = { username: 'tom', password: 'tom’s long password', displayName: 'Tom' };

let member: UserSummary;

const household = useHousehold({ owner: OWNER });

beforeAll(async () => {
  member = await createMember(household.origin, OWNER, MEMBER);
});

const qrImage = (page: Page) => page.getByRole('img', { name: /Pairing QR code/ });

/** The phone's camera: a screenshot of the QR code as the page shows it, decoded. */
async function scanQr(page: Page): Promise<string> {
  const image = qrImage(page);
  await image.waitFor();
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
    .toBe(true);
  return decodeQr(await image.screenshot());
}

/** The code as the page shows it to be read aloud: "BCDF-GHJK". */
const shownCode = (page: Page) => page.locator('.pairing-code .shown').innerText();

/** Marks the document, so a reload (which would drop the mark) is noticed. */
const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
const stillSameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { mark?: number }).mark === 42);

describe('add a phone', () => {
  it('desktop: the phone scans the QR code, the page says it is paired at once, and removing it ends its token', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/photos');
    await page.getByRole('link', { name: 'Add a phone' }).click();
    await page.waitForURL('**/devices/add');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    await expect.poll(() => page.getByText(/^\d+:\d\d$/).innerText()).toMatch(/^(9|10):\d\d$/);
    expect(await shownCode(page)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    // The image is large enough to scan from across a table.
    expect((await qrImage(page).boundingBox())!.width).toBeGreaterThanOrEqual(300);
    await expectNoSeriousA11yViolations(page, 'add a phone, code shown (desktop)');
    await screenshot(page, 'add-phone-desktop');

    const payload = await scanQr(page);
    // The pairing link: the server's first address, its pairing page, the fields in the fragment.
    expect(payload).toMatch(/^https?:\/\/[^#?]+\/pair#v=1&s=/);
    // The address shown is one the phone gets from the code (a page opened on the server itself,
    // as here on 127.0.0.1, shows the code's first address rather than its own).
    const firstUrl = payload.slice(0, payload.indexOf('/pair#'));
    expect(firstUrl).toBe(household.origin);
    expect(await page.getByText(firstUrl, { exact: true }).count()).toBe(1);
    await markDocument(page);
    const phone = await registerPhone(household.origin, { secret: pairingSecret(payload) }, "Anna's iPhone");
    await page.getByRole('heading', { name: "Anna's iPhone is paired" }).waitFor({ timeout: 10_000 });
    expect(await stillSameDocument(page)).toBe(true);
    expect(await qrImage(page).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'add a phone, paired (desktop)');

    // The token works until the device is removed from the devices page.
    expect(await tokenStatus(household.origin, phone.token)).toBe(200);
    await page.getByRole('link', { name: 'See phones' }).click();
    await page.getByRole('heading', { name: "Anna's iPhone", level: 3 }).waitFor();
    await page.getByRole('button', { name: "Remove Anna's iPhone" }).click();
    const dialog = page.getByRole('dialog', { name: "Remove Anna's iPhone?" });
    await dialog.getByText("Anna's iPhone will stop backing up.").waitFor();
    await dialog.getByRole('button', { name: 'Remove and stop backups' }).click();
    await page.getByText("Anna's iPhone was removed.").waitFor();
    await expect.poll(() => page.getByRole('heading', { name: "Anna's iPhone", level: 3 }).count()).toBe(0);
    expect(await tokenStatus(household.origin, phone.token)).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('phone: the typed code pairs too, and "Add another" shows a new code', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, PHONE, {
      colorScheme: 'dark',
    });
    await page.goto('/photos');
    // On a phone the header button is an icon with its name.
    await page.getByRole('link', { name: 'Add a phone' }).click();
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    const code = await shownCode(page);
    expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    // Readable: large monospace letters, the code fitting the phone's width.
    const box = (await page.locator('.pairing-code .code').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(
      await page.locator('.pairing-code .code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
    ).toBeGreaterThanOrEqual(26);
    await expectNoSeriousA11yViolations(page, 'add a phone, code shown (phone, dark)');
    await screenshot(page, 'add-phone-phone-dark', { fullPage: true });

    await markDocument(page);
    // People read it aloud as "B C D F, G H J K"; the app accepts any case, with or without the dash.
    await registerPhone(household.origin, { code: code.replace('-', '').toLowerCase() }, 'Kitchen iPad');
    await page.getByRole('heading', { name: 'Kitchen iPad is paired' }).waitFor({ timeout: 10_000 });
    expect(await stillSameDocument(page)).toBe(true);
    await expectNoSeriousA11yViolations(page, 'add a phone, paired (phone)');

    // By keyboard: focus moves on to the new code's heading, not back to the top of the page.
    await page.getByRole('button', { name: 'Add another' }).press('Enter');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Scan with your iPhone');
    const next = await shownCode(page);
    expect(next).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(next).not.toBe(code);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('when the code runs out, the page says so and "Show a new code" opens a fresh pairing', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    // The server has no test clock for pairings: the page's clock is moved on instead, which is
    // what the countdown and the expiry on the page run on.
    await page.clock.install();
    await page.goto('/devices/add');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    await expect.poll(() => page.getByText(/^\d+:\d\d$/).count()).toBe(1);
    const first = await shownCode(page);
    await page.clock.fastForward('10:05');
    await page.getByRole('heading', { name: 'This code has expired' }).waitFor();
    expect(await qrImage(page).count()).toBe(0);
    expect(await page.getByText(first).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'add a phone, expired');

    await page.getByRole('button', { name: 'Show a new code' }).click();
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    expect(await shownCode(page)).not.toBe(first);
    await expect.poll(() => page.getByText(/^\d+:\d\d$/).innerText()).toMatch(/^(9|10):\d\d$/);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('pairing for someone else', () => {
  it("an admin pairs a phone for a member: it is in the member's list and its uploads land in the member's library", async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/devices/add');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    await page.getByLabel('Whose phone is it?').selectOption({ label: 'Tom' });
    await page.getByRole('heading', { name: "Scan with Tom's iPhone" }).waitFor();
    await expect.poll(() => page.url()).toContain(`?for=${member.id}`);
    await expectNoSeriousA11yViolations(page, 'add a phone for a member');

    const payload = await scanQr(page);
    const phone = await registerPhone(household.origin, { secret: pairingSecret(payload) }, "Tom's iPhone");
    await page.getByRole('heading', { name: "Tom's iPhone is paired for Tom" }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'add-phone-for-member-paired');

    const tom = await apiSession(household.origin, MEMBER.username, MEMBER.password);
    const tomsDevices = await tom.json<DeviceList>('GET', '/api/v1/devices');
    expect(tomsDevices.devices.map((device) => device.id)).toContain(phone.deviceId);
    const annasDevices = await household.owner.json<DeviceList>('GET', '/api/v1/devices');
    expect(annasDevices.devices.map((device) => device.id)).not.toContain(phone.deviceId);

    const photo = await makePhoto({ takenAt: '2024:05:01 10:00:00', seed: 7001, width: 800, height: 600 });
    const { ids } = await backUp(household.origin, phone.token, [{ path: photo.path, name: 'IMG_7001.JPG' }]);
    const tomsLibrary = await tom.json<MediaList>('GET', '/api/v1/media/list?limit=100');
    expect(tomsLibrary.items.map((item) => item.id)).toEqual(ids);
    const annasLibrary = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=100');
    expect(annasLibrary.items.map((item) => item.id)).not.toContain(ids[0]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an admin who is not the owner chooses among members only, as the API allows', async () => {
    const ADMIN = { username: 'ben', password: 'ben’s long password', displayName: 'Ben' };
    const ben = await createMember(household.origin, OWNER, ADMIN);
    await household.owner.json('PATCH', `/api/v1/users/${ben.id}`, { role: 'admin' });
    const { page, context, errors } = await household.signedInPage(ADMIN, PHONE);
    await page.goto('/devices/add');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    const choice = page.getByLabel('Whose phone is it?');
    await expect.poll(() => choice.locator('option').allInnerTexts()).toEqual(['Mine (Ben)', 'Tom']);
    await choice.selectOption({ label: 'Tom' });
    await page.getByRole('heading', { name: "Scan with Tom's iPhone" }).waitFor();
    await expectNoSeriousA11yViolations(page, 'add a phone, admin for a member (phone)');
    // The owner is not among the choices, and the API agrees.
    const admin = await apiSession(household.origin, ADMIN.username, ADMIN.password);
    const refused = await admin
      .json('POST', '/api/v1/pairing', { userId: household.owner.user.id })
      .catch((error: unknown) => error);
    expect((refused as ApiCallError).status).toBe(403);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a member pairs only their own phones: no choice of person, and the API refuses another', async () => {
    const { page, context, errors } = await household.signedInPage(MEMBER, PHONE);
    await page.goto('/devices/add');
    await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
    expect(await page.getByLabel('Whose phone is it?').count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'add a phone, member (phone)');

    const tom = await apiSession(household.origin, MEMBER.username, MEMBER.password);
    const refused = await tom
      .json('POST', '/api/v1/pairing', { userId: household.owner.user.id })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiCallError);
    expect((refused as ApiCallError).status).toBe(403);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('with HTTPS on', () => {
  it('shows the HTTPS address the phone will use and the certificate fingerprint it will pin', async () => {
    const tlsPort = await freePort();
    const { server: tlsServer, owner: api } = await startServerWithOwner(OWNER, {
      env: { ICLOOD_TLS_PORT: String(tlsPort) },
    });
    try {
      const { tls } = await api.json<SystemStatus>('GET', '/api/v1/system/status');
      expect(tls.enabled).toBe(true);
      expect(tls.fingerprint).toBeTruthy();

      const { page, context, errors } = await household.signedInPage(OWNER, PHONE, {
        origin: tlsServer.origin,
      });
      await page.goto('/devices/add');
      await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
      await page.getByText(tls.fingerprint!, { exact: true }).waitFor();
      await page.getByText(`https://127.0.0.1:${tlsPort}`, { exact: true }).waitFor();
      const payload = await scanQr(page);
      expect(new URLSearchParams(payload.slice(payload.indexOf('?') + 1)).get('fp')).toBe(tls.fingerprint);
      await expectNoSeriousA11yViolations(page, 'add a phone with HTTPS (phone)');
      await screenshot(page, 'add-phone-https-phone', { fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await tlsServer.stop();
    }
  });
});
