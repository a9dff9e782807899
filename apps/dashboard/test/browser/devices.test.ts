// The devices page and the home backup summary, against devices that really paired and backed
// up through the API with their own tokens. The tests run in order; the last one removes devices.
import type { CreateDeviceResult, DeviceList } from '@iclood/api-types';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApiCallError,
  DESKTOP,
  PHONE,
  apiSession,
  expectNoSeriousA11yViolations,
  makePhoto,
  screenshot,
  type ApiSession,
  type Viewport,
  useHousehold,
} from './harness.js';
import { backUp, pairThroughApi, phoneCall, tokenStatus, type PairedPhone } from './phone.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const TOM = { username: 'tom', password: 'tom’s long password', displayName: 'Tom' };
const BEN = { username: 'ben', password: 'ben’s long password' };
const DAY_MS = 24 * 60 * 60 * 1000;
const OLDER_SESSIONS = 21;

let tom: ApiSession;
let annasPhone: PairedPhone;
let tomsPhone: PairedPhone;
let shortcut: { token: string; deviceId: string };

const household = useHousehold({ owner: OWNER, members: [TOM, BEN] });

beforeAll(async () => {
  tom = await apiSession(household.origin, TOM.username, TOM.password);

  annasPhone = await pairThroughApi(household.owner, "Anna's iPhone");
  tomsPhone = await pairThroughApi(tom, "Tom's iPhone");
  const created = await household.owner.json<CreateDeviceResult>('POST', '/api/v1/devices', {
    name: 'Kitchen Shortcut',
    platform: 'shortcuts',
  });
  shortcut = { token: created.token, deviceId: created.device.id };
  // Anna's iPhone backs up daily; the others keep the default (weekly).
  await household.owner.json('PATCH', `/api/v1/devices/${annasPhone.deviceId}`, {
    preferences: { frequency: 'daily' },
  });

  // Anna's iPhone: many small sessions (for the history's paging), one that stored a photo and
  // met a duplicate, then one that failed. The Shortcut failed once; Tom's iPhone completed once.
  for (let index = 0; index < OLDER_SESSIONS; index++) await backUp(household.origin, annasPhone.token, []);
  const photo = await makePhoto({ takenAt: '2024:02:03 10:00:00', seed: 4242, width: 800, height: 600 });
  await backUp(household.origin, annasPhone.token, [
    { path: photo.path, name: 'IMG_4242.JPG' },
    { path: photo.path, name: 'IMG_4242 copy.JPG' },
  ]);
  await backUp(household.origin, annasPhone.token, [], { error: 'The phone left the home Wi-Fi' });
  await backUp(household.origin, shortcut.token, [], { error: 'The Shortcut ran out of time' });
  const tomsPhoto = await makePhoto({ takenAt: '2024:03:04 10:00:00', seed: 4343, width: 800, height: 600 });
  await backUp(household.origin, tomsPhone.token, [{ path: tomsPhoto.path, name: 'IMG_4343.JPG' }]);
});

async function open(
  path: string,
  credentials = OWNER,
  viewport: Viewport = DESKTOP,
  options: { daysLater?: number; colorScheme?: 'light' | 'dark' } = {},
) {
  const signedIn = await household.signedInPage(credentials, viewport, {
    colorScheme: options.colorScheme,
  });
  // The server cannot date a backup in the past: the page's clock moves on instead.
  if (options.daysLater) await signedIn.page.clock.install({ time: Date.now() + options.daysLater * DAY_MS });
  await signedIn.page.goto(path);
  return signedIn;
}

const card = (page: Page | Locator, name: string) => page.getByRole('article', { name, exact: true });
const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

describe('the devices page', () => {
  it('an admin sees every device by person, with its platform, last backup and result', async () => {
    const { page, context, errors } = await open('/devices');
    await page.getByRole('heading', { name: 'Phones & Shortcuts', level: 1 }).waitFor();
    const mine = section(page, 'Your devices');
    await card(mine, "Anna's iPhone").waitFor();
    await card(mine, 'Kitchen Shortcut').waitFor();
    await card(section(page, "Tom's devices"), "Tom's iPhone").waitFor();
    await section(page, "ben's devices").getByText('No phone or Shortcut yet.').waitFor();
    expect(await mine.getByRole('article').count()).toBe(2);

    const anna = card(page, "Anna's iPhone");
    const text = await anna.innerText();
    expect(text).toContain('iPhone app');
    expect(text).toContain('Backs up daily');
    // The latest session failed: it says so with its error, and when the last good one was.
    expect(text).toMatch(/Last backup\s+(just now|\d+ minutes? ago) \(failed\)/);
    expect(text).toContain('Error: The phone left the home Wi-Fi');
    expect(text).toMatch(/Last completed (just now|\d+ minutes? ago)/);
    expect(await card(page, 'Kitchen Shortcut').innerText()).toContain('Shortcut');
    expect(await card(page, "Tom's iPhone").innerText()).toMatch(/Result\s+1 new file \([\d.]+ KB\)/);
    // Fresh backups: nothing to warn about.
    expect(await page.getByText(/Not backed up for|Has not backed up since/).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'devices, admin (desktop)');
    await screenshot(page, 'devices-admin-desktop', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a device's own backup sessions, newest first, a page at a time", async () => {
    const { page, context, errors } = await open('/devices', OWNER, PHONE);
    await card(page, "Anna's iPhone").getByRole('button', { name: "History of Anna's iPhone" }).click();
    const dialog = page.getByRole('dialog', { name: "Backups of Anna's iPhone" });
    const sessions = dialog.getByRole('listitem');
    await expect.poll(() => sessions.count()).toBe(20);
    expect(await sessions.first().innerText()).toContain('Error: The phone left the home Wi-Fi');
    expect(await sessions.nth(1).innerText()).toContain('1 new file');
    expect(await sessions.nth(1).innerText()).toContain('1 already backed up');
    await expectNoSeriousA11yViolations(page, 'backup history (phone)');
    await dialog.getByRole('button', { name: 'Show older backups' }).click();
    await expect.poll(() => sessions.count()).toBe(OLDER_SESSIONS + 2);
    expect(await dialog.getByRole('button', { name: 'Show older backups' }).count()).toBe(0);
    // The Shortcut's session is not this device's.
    expect(await dialog.getByText('The Shortcut ran out of time').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("edits a device in a dialog: a Shortcut's name, and a phone's backup settings as the phone then reads them", async () => {
    const { page, context, errors } = await open('/devices', OWNER, PHONE);
    await card(page, 'Kitchen Shortcut').getByRole('button', { name: 'Edit Kitchen Shortcut' }).click();
    let dialog = page.getByRole('dialog', { name: 'Edit Kitchen Shortcut' });
    // What to back up and removing from the phone are the iPhone app's: a Shortcut has neither.
    expect(await dialog.getByRole('group', { name: 'What to back up' }).count()).toBe(0);
    await dialog.getByLabel('Name').fill('Hall Shortcut');
    await expectNoSeriousA11yViolations(page, 'edit dialog (phone)');
    await dialog.getByLabel('Name').press('Enter');
    await card(page, 'Hall Shortcut').waitFor();
    await page.getByText('Renamed “Kitchen Shortcut” to “Hall Shortcut”.').waitFor();
    const { devices } = await household.owner.json<DeviceList>('GET', '/api/v1/devices');
    const renamed = devices.find((device) => device.id === shortcut.deviceId);
    expect(renamed?.name).toBe('Hall Shortcut');
    expect(renamed?.preferences.frequency).toBe('weekly');

    // Tom's iPhone, set by the owner: daily, only new photos, free space on the phone.
    const toms = card(page, "Tom's iPhone");
    expect(await toms.innerText()).toContain('Backs up weekly');
    await toms.getByRole('button', { name: "Edit Tom's iPhone" }).click();
    dialog = page.getByRole('dialog', { name: "Edit Tom's iPhone" });
    const frequency = dialog.getByRole('group', { name: 'Back up' });
    expect(await frequency.getByRole('radio', { name: 'Every week' }).isChecked()).toBe(true);
    await frequency.getByRole('radio', { name: 'Every day' }).check();
    await dialog
      .getByRole('group', { name: 'What to back up' })
      .getByRole('radio', { name: /taken after pairing/ })
      .check();
    await dialog.getByRole('checkbox', { name: /Remove backed-up photos/ }).check();
    await expectNoSeriousA11yViolations(page, 'edit dialog, iPhone (phone)');
    await screenshot(page, 'device-edit-phone');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText("Saved the settings of Tom's iPhone.").waitFor();
    await expect.poll(() => toms.innerText()).toContain('Backs up daily');

    // The phone reads its settings with its own token.
    const seen = await phoneCall<DeviceList>(household.origin, 'GET', '/api/v1/devices', {
      token: tomsPhone.token,
    });
    expect(seen.status).toBe(200);
    const own =
      seen.envelope.status === 'success'
        ? seen.envelope.data.devices.find((device) => device.id === tomsPhone.deviceId)
        : undefined;
    expect(own?.name).toBe("Tom's iPhone");
    expect(own?.preferences).toEqual({ frequency: 'daily', selection: 'new', deleteAfterBackup: true });

    // Opening it again shows what was saved; back to weekly (what the warning test below expects).
    await toms.getByRole('button', { name: "Edit Tom's iPhone" }).click();
    expect(await dialog.getByRole('checkbox', { name: /Remove backed-up photos/ }).isChecked()).toBe(true);
    await frequency.getByRole('radio', { name: 'Every week' }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => toms.innerText()).toContain('Backs up weekly');
    const again = await phoneCall<DeviceList>(household.origin, 'GET', '/api/v1/devices', {
      token: tomsPhone.token,
    });
    expect(again.envelope.status === 'success' && again.envelope.data.devices[0]?.preferences).toEqual({
      frequency: 'weekly',
      selection: 'new',
      deleteAfterBackup: true,
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a member sees only their own devices, and the API refuses them the household's", async () => {
    const { page, context, errors } = await open('/devices', TOM, PHONE, { colorScheme: 'dark' });
    await card(section(page, 'Your devices'), "Tom's iPhone").waitFor();
    expect(await page.getByRole('article').count()).toBe(1);
    expect(await page.getByText("Anna's iPhone").count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'devices, member (phone)');
    await screenshot(page, 'devices-member-phone', { fullPage: true });

    const refused = await tom.json('GET', '/api/v1/devices?user=all').catch((error: unknown) => error);
    expect((refused as ApiCallError).status).toBe(403);
    const notHers = await tom
      .json('DELETE', `/api/v1/devices/${annasPhone.deviceId}`)
      .catch((error: unknown) => error);
    expect(notHers).toBeInstanceOf(ApiCallError);
    expect((notHers as ApiCallError).status).toBe(404);
    expect(await tokenStatus(household.origin, annasPhone.token)).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('warns about a device that has not backed up for twice its interval (three days on: the daily one)', async () => {
    const { page, context, errors } = await open('/devices', OWNER, DESKTOP, { daysLater: 3 });
    const anna = card(page, "Anna's iPhone");
    await anna
      .getByText(/Not backed up for 3 days\. It is set to back up daily, so more than 2 days/)
      .waitFor();
    // Weekly devices are fine after three days, also one that never completed a backup.
    expect(await card(page, "Tom's iPhone").getByText('Not backed up for').count()).toBe(0);
    expect(
      await card(page, 'Hall Shortcut')
        .getByText(/Not backed up for|Has not backed up/)
        .count(),
    ).toBe(0);
    await expectNoSeriousA11yViolations(page, 'devices with a warning');
    await screenshot(page, 'devices-stale-warning');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the backup summary on Photos', () => {
  it("sums up the household's backups in one line that links to the devices", async () => {
    const { page, context, errors } = await open('/photos', OWNER, DESKTOP);
    const line = page.getByRole('link', { name: /^Backups: / });
    await expect.poll(() => line.count()).toBe(1);
    expect(await line.innerText()).toBe('2 phones backed up in the last day');
    await expectNoSeriousA11yViolations(page, 'photos with the backup summary');
    await line.click();
    await page.waitForURL('**/devices');
    await page.getByRole('heading', { name: 'Phones & Shortcuts', level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('names the device that is behind, at phone width', async () => {
    const { page, context, errors } = await open('/photos', OWNER, PHONE, { daysLater: 3 });
    const line = page.getByRole('link', { name: /^Backups: / });
    await expect.poll(() => line.count()).toBe(1);
    expect(await line.innerText()).toBe("No phone backed up in the last day; Anna's iPhone: 3 days ago");
    const box = (await line.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await expectNoSeriousA11yViolations(page, 'photos with a backup warning (phone)');
    await screenshot(page, 'photos-backup-summary-phone');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is not shown to someone without devices', async () => {
    const signedIn = await household.signedInPage(BEN, DESKTOP);
    const { page, context, errors } = signedIn;
    const devicesRead = page.waitForResponse((response) => response.url().includes('/api/v1/devices'));
    await page.goto('/photos');
    expect((await devicesRead).status()).toBe(200);
    await page.getByRole('heading', { name: 'No photos yet' }).waitFor();
    expect(await page.getByRole('link', { name: /^Backups: / }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('removing a device', () => {
  it("an admin removes a member's phone after a warning that it stops backing up; its token is refused", async () => {
    const { page, context, errors } = await open('/devices', OWNER, PHONE);
    expect(await tokenStatus(household.origin, tomsPhone.token)).toBe(200);
    await card(page, "Tom's iPhone").getByRole('button', { name: "Remove Tom's iPhone" }).click();
    const dialog = page.getByRole('dialog', { name: "Remove Tom's iPhone?" });
    await dialog.getByText("Tom's iPhone will stop backing up.").waitFor();
    await dialog.getByText("The photos and videos it already backed up stay in Tom's library.").waitFor();
    await expectNoSeriousA11yViolations(page, 'remove device dialog (phone)');
    await dialog.getByRole('button', { name: 'Remove and stop backups' }).click();
    await page.getByText("Tom's iPhone was removed.").waitFor();
    expect(await card(page, "Tom's iPhone").count()).toBe(0);
    expect(await tokenStatus(household.origin, tomsPhone.token)).toBe(401);
    const { status } = await phoneCall(household.origin, 'GET', '/api/v1/media/list', {
      token: tomsPhone.token,
    });
    expect(status).toBe(401);
    const { devices } = await tom.json<DeviceList>('GET', '/api/v1/devices');
    expect(devices.map((device) => device.id)).not.toContain(tomsPhone.deviceId);
    expect(errors).toEqual([]);
    await context.close();
  });
});
