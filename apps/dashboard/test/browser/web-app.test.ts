// The dashboard as an installable web app on the phone: its manifest and icons, the service
// worker that keeps the app shell over HTTPS (and nothing of the API), the shell opening offline,
// and the phone's "Back up photos" action, in Chromium against the built server.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaList } from '@iclood/api-types';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  freePort,
  launchBrowser,
  makePhoto,
  newSignedInPage,
  screenshot,
  startServerWithOwner,
  useHousehold,
  type ApiSession,
  type FixtureFile,
  type TestServer,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };

const household = useHousehold({ owner: OWNER });

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

interface WebManifest {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: ManifestIcon[];
}

/** GETs `path` and checks it is a PNG of `size`×`size` pixels, by its bytes. */
async function expectPng(origin: string, path: string, size: number): Promise<void> {
  const response = await fetch(`${origin}${path}`);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type'), path).toBe('image/png');
  const { format, width, height } = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
  expect({ path, format, width, height }).toEqual({ path, format: 'png', width: size, height: size });
}

describe('the web app manifest', () => {
  it('names the app, its icons, its start page and standalone display, and the page links it', async () => {
    const origin = household.origin;
    // As a browser asks for it after reading the page, and as a navigation would: never the page.
    for (const accept of ['*/*', 'text/html']) {
      const response = await fetch(`${origin}/manifest.webmanifest`, { headers: { accept } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    }
    const manifest = (await (await fetch(`${origin}/manifest.webmanifest`)).json()) as WebManifest;
    expect(manifest).toMatchObject({
      name: 'iClood',
      short_name: 'iClood',
      start_url: '/photos',
      scope: '/',
      display: 'standalone',
      // The dashboard's light background (the page's theme-color metas give the dark one).
      theme_color: '#f4f6fa',
      background_color: '#f4f6fa',
    });

    const sizes = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`).sort();
    expect(sizes).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of manifest.icons) {
      expect(icon.type).toBe('image/png');
      await expectPng(origin, icon.src, Number(icon.sizes.split('x')[0]));
    }

    const { page, context, errors } = await household.signedInPage(OWNER, PHONE);
    await page.goto('/photos');
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    const links = await page.evaluate(() => ({
      manifest: document.querySelector<HTMLLinkElement>('link[rel=manifest]')?.href,
      touchIcon: document.querySelector<HTMLLinkElement>('link[rel=apple-touch-icon]')?.getAttribute('href'),
      capable: document.querySelector('meta[name=apple-mobile-web-app-capable]')?.getAttribute('content'),
      title: document.querySelector('meta[name=apple-mobile-web-app-title]')?.getAttribute('content'),
    }));
    expect(links).toEqual({
      manifest: `${origin}/manifest.webmanifest`,
      touchIcon: '/icons/apple-touch-icon.png',
      capable: 'yes',
      title: 'iClood',
    });
    await expectPng(origin, links.touchIcon!, 180);
    // Over plain HTTP the dashboard is a page: no worker.
    expect(
      await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((all) => all.length)),
    ).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves the service worker revalidated on every check, so a new build reaches the phone', async () => {
    const response = await fetch(`${household.origin}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const code = await response.text();
    expect(code).not.toContain('__ICLOOD_SHELL__');
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
  });
});

/** The base64 SHA-256 of a certificate's public key, as Chromium's --ignore-certificate-errors-spki-list takes it. */
function spkiHash(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The certificate the server presents on its HTTPS port (read, not trusted, to be pinned). */
function presentedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const { raw } = socket.getPeerCertificate();
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.once('error', reject);
  });
}

describe('over HTTPS', () => {
  let tls: { server: TestServer; owner: ApiSession; https: string; browser: Browser };
  beforeAll(async () => {
    const tlsPort = await freePort();
    const { server, owner } = await startServerWithOwner(OWNER, {
      env: { ICLOOD_TLS_PORT: String(tlsPort) },
    });
    try {
      // This Chromium trusts the server's certificate, signed by its own CA, as a phone does once
      // the CA's profile is installed (Chromium checks the pin against the chain it was sent).
      const certificate = await presentedCertificate(tlsPort);
      const ca = new X509Certificate(await (await owner.fetch('/api/v1/system/ca.pem')).text());
      expect(certificate.checkIssued(ca)).toBe(true);
      const browser = await launchBrowser({
        args: [`--ignore-certificate-errors-spki-list=${spkiHash(certificate)}`],
      });
      tls = { server, owner, https: `https://127.0.0.1:${tlsPort}`, browser };
    } catch (error) {
      await server.stop();
      throw error;
    }
  });
  afterAll(async () => {
    await tls?.browser.close();
    await tls?.server.stop();
  });

  it('installs the service worker, which caches the shell and no API answer, and opens the shell offline', async () => {
    const { page, context, errors } = await newSignedInPage(tls.browser, tls.server.origin, OWNER, PHONE);
    await page.goto(`${tls.https}/photos`);
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, {
      timeout: 30_000,
    });

    const cached = await page.evaluate(async () => {
      const all: Record<string, string[]> = {};
      for (const name of await caches.keys()) {
        const requests = await (await caches.open(name)).keys();
        all[name] = requests.map((request) => new URL(request.url).pathname);
      }
      return all;
    });
    const names = Object.keys(cached);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^iclood-shell-[0-9a-f]{16}$/);
    const paths = cached[names[0]!]!;
    expect(paths).toContain('/index.html');
    expect(paths).toContain('/manifest.webmanifest');
    const script = await page.evaluate(
      () => document.querySelector<HTMLScriptElement>('script[type=module]')!.src,
    );
    expect(paths).toContain(new URL(script).pathname);
    // The page has read the session, the timeline and the backup summary by now: none of it kept.
    expect(paths.filter((path) => path.startsWith('/api/'))).toEqual([]);
    expect(errors).toEqual([]);

    await context.setOffline(true);
    await page.reload();
    // The shell is there: the header, and a plain word that the server cannot be reached.
    await page.getByRole('link', { name: 'iClood, photos' }).waitFor();
    await page.getByRole('heading', { name: 'This device is offline' }).waitFor();
    await expectNoSeriousA11yViolations(page, 'the shell offline (phone)');
    await screenshot(page, 'web-app-offline-phone');

    // Back online, the same page signs straight back in.
    await context.setOffline(false);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await context.close();
  });
});

describe('back up photos from the phone', () => {
  /** A fixture as the photo library hands it over: its camera name and bytes. */
  const asPicked = async (file: FixtureFile) => ({
    name: file.name,
    mimeType: 'image/jpeg',
    buffer: await readFile(file.path),
  });

  it('on a phone, Back up photos opens the photo picker for many and reports the new and the already backed up', async () => {
    // Real phone-sized photos (~3.5 MB each); the third is already in the library.
    const [first, second, known] = await Promise.all(
      [1, 2, 3].map((day) => makePhoto({ takenAt: `2025-06-0${day} 09:30:00`, seed: 300 + day })),
    );
    const before = await household.owner.upload(known!.path, known!.name);
    expect(before.status).toBe('created');

    const { page, context, errors } = await household.signedInPage(OWNER, PHONE, { colorScheme: 'dark' });
    await page.goto('/photos');
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    const backUp = page.getByRole('button', { name: 'Back up photos' });
    await expectNoSeriousA11yViolations(page, 'photos with Back up photos (phone, dark)');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), backUp.click()]);
    expect(chooser.isMultiple()).toBe(true);
    const accept = (await chooser.element().getAttribute('accept'))!.split(',');
    expect(accept).toEqual(expect.arrayContaining(['image/*', 'video/*']));
    await chooser.setFiles([await asPicked(first!), await asPicked(second!), await asPicked(known!)]);

    const panel = page.getByRole('region', { name: 'Uploads' });
    await panel.getByText('2 added, 1 already backed up').waitFor({ timeout: 60_000 });
    for (const file of [first!, second!]) {
      await panel.getByRole('listitem').filter({ hasText: file.name }).getByText('Added').waitFor();
    }
    await panel
      .getByRole('listitem')
      .filter({ hasText: known!.name })
      .getByText('Already in your library')
      .waitFor();

    // The server has each photo once: the two new ones beside the one it had.
    const { items } = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=500');
    expect(items.map((item) => item.name).sort()).toEqual([first!.name, second!.name, known!.name].sort());
    expect(items.find((item) => item.name === known!.name)!.id).toBe(before.id);
    for (const file of [first!, second!]) {
      expect(items.find((item) => item.name === file.name)!.size).toBe(file.size);
    }

    await expectNoSeriousA11yViolations(page, 'the uploads after Back up photos (phone, dark)');
    await screenshot(page, 'web-app-back-up-photos-phone-dark');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('on a desktop the header’s Upload stays the way in: no Back up photos button', async () => {
    const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
    await page.goto('/photos');
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Upload', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Back up photos' }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
