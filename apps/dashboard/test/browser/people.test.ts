// The People page: the owner adds, resets and removes household members in the browser, and the
// server is checked over the API (and on disk) to do what the page said. A member is refused.
// One server for the file; logins are rate limited (10 a minute), so each test signs in sparingly.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupResult, SystemStorage, UserList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  apiSession,
  createMember,
  expectNoSeriousA11yViolations,
  makePhoto,
  screenshot,
  type Viewport,
  useHousehold,
  loginStatus,
  meStatus,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const BEN = { username: 'ben', password: 'ben password 1', displayName: 'Ben' };
const CARL = { username: 'carl', password: 'carl password 1', displayName: 'Carl' };

const household = useHousehold({ owner: OWNER, members: [BEN] });

async function openPeople(viewport: Viewport = DESKTOP) {
  const signedIn = await household.signedInPage(OWNER, viewport);
  await signedIn.page.goto('/people');
  await signedIn.page.getByRole('list', { name: 'Household members' }).waitFor();
  return signedIn;
}

const personCard = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Household members' })
    .getByRole('listitem')
    .filter({
      has: page.getByRole('heading', { name, exact: true }),
    });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('people, as the owner', () => {
  it('lists the household and adds a member who can then sign in', async () => {
    const { page, context, errors } = await openPeople();
    const anna = personCard(page, 'anna (you)');
    await expect.poll(() => anna.innerText()).toMatch(/Owner[\s\S]*Username\s+anna[\s\S]*Added/);
    expect(await anna.getByRole('button').count()).toBe(0);
    const ben = personCard(page, 'Ben');
    expect(await ben.innerText()).toMatch(
      /Member[\s\S]*Username\s+ben[\s\S]*Library\s+0 photos and videos, 0 B/,
    );
    await expectNoSeriousA11yViolations(page, 'people');
    await screenshot(page, 'people-desktop');

    await page.getByRole('button', { name: 'Add a person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByLabel('Username').fill('dora');
    await dialog.getByLabel('Display name (optional)').fill('Dora');
    await dialog.getByLabel('Password', { exact: true }).fill('short');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await dialog.getByText('The password needs at least 8 characters.').waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill('dora password 1');
    await expectNoSeriousA11yViolations(page, 'people, add dialog');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('status').filter({ hasText: 'Dora is added and can sign in as “dora”.' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await personCard(page, 'Dora').waitFor();

    const { users } = await household.owner.json<UserList>('GET', '/api/v1/users');
    expect(users.find((user) => user.username === 'dora')).toMatchObject({
      displayName: 'Dora',
      role: 'member',
    });
    expect(await loginStatus(household.origin, 'dora', 'dora password 1')).toBe(200);

    // The same username again: the server's refusal, in words.
    await page.getByRole('button', { name: 'Add a person' }).click();
    await dialog.getByLabel('Username').fill('DORA');
    await dialog.getByLabel('Password', { exact: true }).fill('another password');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /already taken/ })
      .waitFor();
    await page.keyboard.press('Escape');
    expect(errors.filter((line) => !/status of 409/.test(line))).toEqual([]);
    await context.close();
  });

  it("resets a member's password: the new one signs in, the old one and their browser sessions end", async () => {
    const benApi = await apiSession(household.origin, BEN.username, BEN.password);
    const { page, context, errors } = await openPeople();
    await personCard(page, 'Ben').getByRole('button', { name: 'Reset password for Ben' }).click();
    const dialog = page.getByRole('dialog', { name: "Reset Ben's password" });
    await dialog.getByText('their paired phones and Shortcuts keep working').waitFor();
    await dialog.getByLabel('New password').fill('ben password 2');
    await expectNoSeriousA11yViolations(page, 'people, reset dialog');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: "Ben's password is changed." }).waitFor();

    expect(await meStatus(household.origin, benApi.token)).toBe(401);
    expect(await loginStatus(household.origin, 'ben', BEN.password)).toBe(401);
    expect(await loginStatus(household.origin, 'ben', 'ben password 2')).toBe(200);
    BEN.password = 'ben password 2';
    expect(errors).toEqual([]);
    await context.close();
  });

  it('removes a member after saying what happens, and the server does exactly that', async () => {
    await createMember(household.origin, OWNER, CARL);
    const carl = await apiSession(household.origin, CARL.username, CARL.password);
    const shortcut = await carl.json<{ token: string }>('POST', '/api/v1/devices', {
      name: "Carl's Shortcut",
      platform: 'shortcuts',
    });
    const uploaded: string[] = [];
    for (const seed of [501, 502]) {
      const photo = await makePhoto({ seed, width: 800, height: 600, takenAt: '2024:05:01 10:00:00' });
      uploaded.push((await carl.upload(photo.path, `IMG_${seed}.JPG`)).id);
    }
    const third = await makePhoto({ seed: 503, width: 800, height: 600 });
    const viaShortcut = await fetch(`${household.origin}/api/v1/media/upload?filename=IMG_503.JPG`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shortcut.token}`, 'content-type': 'image/jpeg' },
      body: new Blob([await import('node:fs/promises').then((fs) => fs.readFile(third.path))]),
    });
    expect(viaShortcut.status).toBe(201);
    uploaded.push(((await viaShortcut.json()) as { data: { id: string } }).data.id);
    await carl.waitForThumbnails(uploaded);

    const before = await household.owner.json<SystemStorage>('GET', '/api/v1/system/storage');
    const carlUsage = before.library.byUser.find((entry) => entry.username === 'carl')!;
    expect(carlUsage.items).toBe(3);
    const carlFolder = join(household.server.libraryDir, 'carl');
    expect(filesUnder(carlFolder)).toHaveLength(3);

    const { page, context, errors } = await openPeople();
    await personCard(page, 'Carl').getByText('3 photos and videos').waitFor();
    await personCard(page, 'Carl').getByRole('button', { name: 'Remove Carl' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Carl?' });
    const consequences = dialog.getByTestId('removal-consequences');
    // Once his devices are listed, the dialog names them.
    await expect
      .poll(() => consequences.innerText())
      .toContain("their 1 paired device (“Carl's Shortcut”) stops working at once");
    const words = await consequences.innerText();
    const sizeWords = /Their 3 photos and videos \(([\d.]+ [KMG]?B)\)/.exec(words);
    expect(sizeWords, words).not.toBeNull();
    expect(words).toContain('are removed from iClood');
    expect(words).toContain('the original files are not deleted');
    expect(words).toContain('library folder “carl”');
    expect(words).toContain('Their thumbnails are deleted by the next “Clean up”');
    await expectNoSeriousA11yViolations(page, 'people, remove dialog');
    await screenshot(page, 'people-remove-dialog');

    // Keeping him changes nothing.
    await dialog.getByRole('button', { name: 'Keep Carl' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await meStatus(household.origin, shortcut.token)).toBe(200);

    await personCard(page, 'Carl').getByRole('button', { name: 'Remove Carl' }).click();
    await dialog.getByRole('button', { name: 'Remove Carl' }).click();
    await page
      .getByRole('status')
      .filter({
        hasText: `Carl is removed: 1 device signed out, 3 photos and videos (${sizeWords![1]}) taken out of iClood.`,
      })
      .waitFor();
    await expect.poll(() => personCard(page, 'Carl').count()).toBe(0);

    // "stops working at once": the Shortcut's token and his session are refused.
    expect(await meStatus(household.origin, shortcut.token)).toBe(401);
    expect(await meStatus(household.origin, carl.token)).toBe(401);
    expect(await loginStatus(household.origin, 'carl', CARL.password)).toBe(401);
    // "removed from iClood": nothing of his is counted any more.
    const after = await household.owner.json<SystemStorage>('GET', '/api/v1/system/storage');
    expect(after.library.byUser.map((entry) => entry.username)).not.toContain('carl');
    expect(after.library.items).toBe(before.library.items - 3);
    expect(after.library.bytes).toBe(before.library.bytes - carlUsage.bytes);
    // "the original files are not deleted": still in his folder.
    expect(filesUnder(carlFolder)).toHaveLength(3);
    // "thumbnails are deleted by the next Clean up".
    const cleanup = await household.owner.json<CleanupResult>('POST', '/api/v1/system/cleanup');
    expect(cleanup.orphanThumbnails.files).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works at phone width', async () => {
    const { page, context, errors } = await openPeople(PHONE);
    await personCard(page, 'Ben').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page, 'people, phone');
    await personCard(page, 'Ben').getByRole('button', { name: 'Remove Ben' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Ben?' });
    await dialog.getByRole('button', { name: 'Keep Ben' }).waitFor();
    const box = await dialog.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    await expectNoSeriousA11yViolations(page, 'people, remove dialog, phone');
    await screenshot(page, 'people-phone-remove-dialog');
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('people, as a member', () => {
  it('has no People link, shows the refusal on the page, and the API answers 403', async () => {
    const { page, context, errors } = await household.signedInPage(BEN, PHONE);
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('link', { name: /Storage and server/ }).waitFor();
    expect(await page.getByRole('link', { name: /^People/ }).count()).toBe(0);

    await page.goto('/people');
    await page
      .getByText("Only the household's owner or an admin can add, change or remove people.")
      .waitFor();
    expect(await page.getByRole('list', { name: 'Household members' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a person' }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'people, member refused');
    await screenshot(page, 'people-member-refused');

    // The page only hides it: the server itself refuses the member (with the page's own session).
    for (const [method, path, data] of [
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { username: 'eve', password: 'eve password 1' }],
      ['DELETE', `/api/v1/users/${household.owner.user.id}`, undefined],
    ] as const) {
      const response = await context.request.fetch(path, { method, data });
      expect(response.status(), `${method} ${path}`).toBe(403);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('roles', () => {
  it('the owner makes a member an admin, who then manages members but not admins or the owner, and back', async () => {
    const { page, context, errors } = await openPeople();
    await personCard(page, 'Ben').getByRole('button', { name: 'Make Ben an admin' }).click();
    await page.getByRole('status').filter({ hasText: 'Ben is now an admin.' }).waitFor();
    expect(await personCard(page, 'Ben').getByText('Admin', { exact: true }).count()).toBe(1);
    const listed = async () => (await household.owner.json<UserList>('GET', '/api/v1/users')).users;
    expect((await listed()).find((user) => user.username === 'ben')?.role).toBe('admin');

    // The owner can add an admin straight away; the dialog offers the role.
    await page.getByRole('button', { name: 'Add a person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByLabel('Username').fill('erin');
    await dialog.getByLabel('Password', { exact: true }).fill('erin password 1');
    await dialog.getByRole('radio', { name: /^Admin/ }).check();
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('status').filter({ hasText: 'erin is added' }).waitFor();
    expect((await listed()).find((user) => user.username === 'erin')?.role).toBe('admin');

    // Ben, now an admin, sees People; he may reset and remove members, not the owner or another admin.
    const benPage = await household.signedInPage(BEN, DESKTOP);
    await benPage.page.goto('/account');
    await benPage.page.getByRole('link', { name: /^People/ }).click();
    await personCard(benPage.page, 'Dora').getByRole('button', { name: 'Remove Dora' }).waitFor();
    expect(await personCard(benPage.page, 'anna').getByRole('button').count()).toBe(0);
    expect(await personCard(benPage.page, 'erin').getByRole('button').count()).toBe(0);
    expect(await benPage.page.getByRole('button', { name: /Make .* an? (admin|member)/ }).count()).toBe(0);
    await benPage.page.getByRole('button', { name: 'Add a person' }).click();
    expect(await benPage.page.getByRole('radio').count()).toBe(0);
    await benPage.page.keyboard.press('Escape');
    const response = await benPage.context.request.get('/api/v1/users');
    expect(response.status()).toBe(200);
    expect(benPage.errors).toEqual([]);
    await benPage.context.close();

    await personCard(page, 'Ben').getByRole('button', { name: 'Make Ben a member' }).click();
    await page.getByRole('status').filter({ hasText: 'Ben is now a member.' }).waitFor();
    expect((await listed()).find((user) => user.username === 'ben')?.role).toBe('member');
    expect(errors).toEqual([]);
    await context.close();
  });
});
