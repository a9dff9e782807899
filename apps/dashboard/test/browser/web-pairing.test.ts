// Pairing with the iPhone's own camera: the QR code on "Add a phone" is a link to the server's
// pairing page. The test reads the code off the owner's page, opens its link in an iPhone-sized
// browser with Safari's user agent, pairs that browser as a web device and lands in the library;
// the owner's page turns to "paired", and removing the device on the phones page signs the phone out.
import type { DeviceList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  newPage,
  screenshot,
  useHousehold,
} from './harness.js';
import { decodeQr } from './phone.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.5 Mobile/15E148 Safari/604.1';

const household = useHousehold({ owner: OWNER });

/** The iPhone: a fresh browser at 390×844 with Safari's user agent, nobody signed in. */
const iPhone = (colorScheme: 'light' | 'dark' = 'light') =>
  newPage(household.browser, household.origin, PHONE, { colorScheme, context: { userAgent: IPHONE_SAFARI } });

/** Errors other than the answers Chromium logs for refused calls: 401 while nobody is signed in, 409 for a used code. */
const unexpected = (errors: string[]) =>
  errors.filter((line) => !/status of (401 \(Unauthorized\)|409 \(Conflict\))/.test(line));

/** The owner opens Add a phone; the camera reads the QR code the page shows. */
async function scanAddPhoneQr(page: Page): Promise<string> {
  await page.goto('/devices/add');
  await page.getByRole('heading', { name: 'Scan with your iPhone' }).waitFor();
  const image = page.getByRole('img', { name: /Pairing QR code/ });
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
