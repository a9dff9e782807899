// The dashboard as an installable web app on the phone: its manifest and icons, the service
// worker that keeps the app shell over HTTPS (and nothing of the API), the shell opening offline,
// and the phone's "Back up photos" action, in Chromium against the built server.
import { createHash, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  expectNoSeriousA11yViolations,
  freePort,
  launchBrowser,
  newSignedInPage,
  screenshot,
  startServerWithOwner,
  useHousehold,
  type ApiSession,
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
    await page.getByRole('heading', { name: 'Cannot reach the iClood server' }).waitFor();
    await expectNoSeriousA11yViolations(page, 'the shell offline (phone)');
    await screenshot(page, 'web-app-offline-phone');

    // Back online, the same page signs straight back in.
    await context.setOffline(false);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await context.close();
  });
});
