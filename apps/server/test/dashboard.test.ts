import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import { databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe('the dashboard at /', () => {
  const it = serverTest(databaseTargets[0]!, { owner: false });

  it('serves the built page without auth, never cached', async ({ server }) => {
    const response = await server.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('iClood');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('serves its hashed assets with a long cache', async ({ server }) => {
    const html = (await server.app.inject({ url: '/' })).body;
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const response = await server.app.inject({ url: asset! });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('immutable');
  });

  it('sends the script compressed as the browser accepts it (brotli, gzip), the same bytes as plain', async ({
    server,
  }) => {
    const html = (await server.app.inject({ url: '/' })).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const plain = await server.app.inject({ url: script! });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await server.app.inject({ url: script!, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    const gz = await server.app.inject({ url: script!, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
  });

  it('serves the web app manifest as a manifest, also to a request that accepts only pages', async ({
    server,
  }) => {
    for (const accept of ['*/*', 'text/html', undefined]) {
      const response = await server.app.inject({
        url: '/manifest.webmanifest',
        headers: { ...(accept ? { accept } : {}), 'accept-encoding': 'br' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/manifest\+json/);
      expect(response.headers['content-encoding']).toBe('br');
      expect(JSON.parse(brotliDecompressSync(response.rawPayload).toString('utf8')).start_url).toBe(
        '/photos',
      );
    }
    const icon = await server.app.inject({ url: '/icons/icon-192.png', headers: { accept: 'text/html' } });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/png');
  });

  it('serves the service worker at the root, revalidated on every update check', async ({ server }) => {
    const response = await server.app.inject({ url: '/sw.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers deep links with the page, but unknown API routes with JSON', async ({ server }) => {
    const page = await server.app.inject({ url: '/albums/summer', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('iClood');
    const api = await server.app.inject({ url: '/api/v1/albums-not-yet', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('ROUTE_NOT_FOUND');
  });
});
