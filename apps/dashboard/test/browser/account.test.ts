// The account page: who you are, the settings pages, your own password, signing out other
// sessions, and signing out. Checked against the server over the API.
import { describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  screenshot,
  useHousehold,
  loginStatus,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const BEN = { username: 'ben', password: 'ben password 1', displayName: 'Ben' };

const household = useHousehold({ owner: OWNER, members: [BEN] });

describe('account', () => {
  it("is where the header's account icon leads: who you are and every settings page", async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/photos');
    await page.getByRole('link', { name: 'Your account and settings' }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.title()).toBe('Your account · iClood');
    const facts = await page.locator('dl').first().innerText();
    expect(facts).toMatch(/Name\s+anna\s+Username\s+anna\s+Role\s+Owner/);

    const settings = page.getByRole('region', { name: 'Settings' });
    const links = await settings
      .getByRole('link')
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    expect(links).toEqual(['/devices', '/shortcut', '/people', '/storage']);
    await expectNoSeriousA11yViolations(page, 'account');
    await screenshot(page, 'account-desktop', { fullPage: true });

    await settings.getByRole('link', { name: /Storage and server/ }).click();
    await page.getByRole('heading', { name: 'Storage and server', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/storage');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("loads the settings pages on first visit, not with the timeline; the page's heading takes focus", async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto('/photos');
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    // The first view is one script: the timeline's bundle, none of the settings pages.
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/^\/assets\/index-[\w-]+\.js$/);

    await page.getByRole('link', { name: 'Your account and settings' }).click();
    const heading = page.getByRole('heading', { name: 'Your account', level: 1 });
    await heading.waitFor();
    expect(scripts.some((path) => /\/assets\/AccountView-[\w-]+\.js$/.test(path))).toBe(true);
    // Focus moves to the heading once the page has arrived, as it does for the library's pages.
    await expect.poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);

    // A page that cannot load (the server was updated meanwhile, or the network dropped) says so.
    await page.route(/\/assets\/PeopleView-[\w-]+\.js$/, (route) => route.abort('connectionreset'));
    await page
      .getByRole('region', { name: 'Settings' })
      .getByRole('link', { name: /People/ })
      .click();
    await page.getByRole('alert').filter({ hasText: 'This page did not load' }).waitFor();
    await page.unroute(/\/assets\/PeopleView-[\w-]+\.js$/);
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    expect(errors.filter((error) => !error.includes('PeopleView'))).toEqual([]);
    await context.close();
  });

  it('reads well in dark mode', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, PHONE, {
      colorScheme: 'dark',
    });
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 21, 28)');
    await expectNoSeriousA11yViolations(page, 'account, dark, phone');
    await screenshot(page, 'account-phone-dark', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('signs out the other sessions: a second browser is sent to sign-in on its next action', async () => {
    const first = await household.signedInPage(OWNER, DESKTOP);
    const second = await household.signedInPage(OWNER, DESKTOP, { freshLogin: true });
    await second.page.goto('/photos');
    await second.page.getByRole('link', { name: 'Albums' }).waitFor();

    await first.page.goto('/account');
    // Sessions of anna: setup's, the first page's and the second's.
    await first.page.getByRole('button', { name: 'Sign out other sessions' }).click();
    await first.page.getByRole('status').filter({ hasText: '2 other sessions signed out.' }).waitFor();

    await second.page.getByRole('link', { name: 'Albums' }).click();
    await second.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await second.page.getByText('Your session has ended. Sign in again.').waitFor();

    // This one is still signed in.
    await first.page.reload();
    await first.page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    await first.page.getByRole('button', { name: 'Sign out other sessions' }).click();
    await first.page
      .getByRole('status')
      .filter({ hasText: 'You were not signed in anywhere else.' })
      .waitFor();
    expect(first.errors).toEqual([]);
    expect(second.errors.filter((line) => !/status of 401/.test(line))).toEqual([]);
    await first.context.close();
    await second.context.close();
  });

  it('changes your own password: mistakes are said in words, then the old password is refused', async () => {
    const { page, context, errors } = await household.signedInPage(BEN, PHONE);
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    expect(await page.locator('dl').first().innerText()).toMatch(
      /Name\s+Ben\s+Username\s+ben\s+Role\s+Member/,
    );
    const form = page.getByRole('form', { name: 'Change your password' });
    const submit = form.getByRole('button', { name: 'Change password' });

    await form.getByLabel('Current password').fill(BEN.password);
    await form.getByLabel('New password', { exact: true }).fill('ben password 2');
    await form.getByLabel('Confirm new password').fill('ben password 3');
    await submit.click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'The new password and its confirmation are not the same.' })
      .waitFor();

    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('Confirm new password').fill('ben password 2');
    await submit.click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'Your current password was not accepted, so nothing changed.' })
      .waitFor();
    expect(await loginStatus(household.origin, 'ben', BEN.password)).toBe(200);
    await expectNoSeriousA11yViolations(page, 'account, password refused, phone');

    await form.getByLabel('Current password').fill(BEN.password);
    await form.getByLabel('New password', { exact: true }).fill('ben password 2');
    await form.getByLabel('Confirm new password').fill('ben password 2');
    await submit.click();
    await form.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
    expect(await form.getByLabel('Current password').inputValue()).toBe('');
    await screenshot(page, 'account-phone-password-changed', { fullPage: true });

    expect(await loginStatus(household.origin, 'ben', BEN.password)).toBe(401);
    expect(await loginStatus(household.origin, 'ben', 'ben password 2')).toBe(200);
    // The page that changed it stays signed in.
    await page.reload();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    expect(errors.filter((line) => !/status of 403/.test(line))).toEqual([]);
    await context.close();
  });
});
