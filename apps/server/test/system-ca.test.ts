import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect } from 'vitest';
import { databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

/** Just enough plist: the top-level and the payload's key → value pairs (strings, data, integers). */
function readPlist(xml: string) {
  const dictOf = (text: string) => {
    const entries: Record<string, string> = {};
    const pattern = /<key>([^<]+)<\/key>\s*<(string|data|integer)>([\s\S]*?)<\/\2>/g;
    for (const match of text.matchAll(pattern)) entries[match[1]!] = match[3]!.trim();
    return entries;
  };
  const inner = /<array>\s*<dict>([\s\S]*?)<\/dict>\s*<\/array>/.exec(xml);
  const outer = xml.replace(/<array>[\s\S]*<\/array>/, '');
  return { profile: dictOf(outer), payloads: inner ? [dictOf(inner[1]!)] : [] };
}

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe.each(databaseTargets)('the local CA for phones ($label)', (target) => {
  const it = serverTest(target, { env: { ICLOOD_TLS_PORT: '8443' }, owner: false });

  it('GET /api/v1/system/ca.pem returns the CA certificate without a token', async ({ server }) => {
    const response = await server.app.inject({ url: '/api/v1/system/ca.pem' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-pem-file');
    expect(response.headers['content-disposition']).toBe('attachment; filename="iclood-ca.pem"');
    expect(response.body).toBe(await readFile(join(server.dataDir, 'secrets', 'ca.pem'), 'utf8'));
    expect(response.body).toBe(server.app.tls.caPem);
    const ca = new X509Certificate(response.body);
    expect(ca.ca).toBe(true);
    expect(response.body).not.toContain('PRIVATE KEY');
  });

  it('GET /api/v1/system/ca.mobileconfig is an iOS profile with one root payload holding the CA', async ({
    server,
  }) => {
    const response = await server.app.inject({ url: '/api/v1/system/ca.mobileconfig' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(response.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/);

    const { profile, payloads } = readPlist(response.body);
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: '1',
      PayloadDisplayName: `iClood on ${hostname().replace(/\.local$/, '')}`,
      PayloadIdentifier: `local.iclood.${server.app.identity.serverId}`,
    });
    expect(payloads).toHaveLength(1);
    const [root] = payloads;
    expect(root).toMatchObject({ PayloadType: 'com.apple.security.root', PayloadVersion: '1' });
    expect(root!.PayloadDisplayName).toBe(`iClood local CA ${server.app.identity.serverId.slice(0, 8)}`);
    const der = Buffer.from(root!.PayloadContent!.replace(/\s+/g, ''), 'base64');
    expect(der.equals(new X509Certificate(server.app.tls.caPem!).raw)).toBe(true);

    expect(profile.PayloadUUID).toMatch(UUID);
    expect(root!.PayloadUUID).toMatch(UUID);
    expect(root!.PayloadUUID).not.toBe(profile.PayloadUUID);
  });

  it('keeps the profile identifiers stable, so a reinstall replaces the profile', async ({ server }) => {
    const first = readPlist((await server.app.inject({ url: '/api/v1/system/ca.mobileconfig' })).body);
    const again = readPlist((await server.app.inject({ url: '/api/v1/system/ca.mobileconfig' })).body);
    expect(again.profile.PayloadUUID).toBe(first.profile.PayloadUUID);
    expect(again.payloads[0]!.PayloadUUID).toBe(first.payloads[0]!.PayloadUUID);
  });

  it('lists both routes in the OpenAPI document under "system", as public, and the document stays valid', async ({
    server,
  }) => {
    const document = (await server.app.inject({ url: '/docs/json' })).json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    for (const [path, mediaType] of [
      ['/api/v1/system/ca.pem', 'application/x-pem-file'],
      ['/api/v1/system/ca.mobileconfig', 'application/x-apple-aspen-config'],
    ] as const) {
      const operation = document.paths[path].get;
      expect(operation.tags).toEqual(['system']);
      expect(operation.summary).toBeTruthy();
      expect(operation.security).toEqual([]);
      expect(Object.keys(operation.responses['200'].content)).toEqual([mediaType]);
      expect(operation.responses['4XX'] ?? operation.responses['4xx']).toBeDefined();
    }
  });
});

describe('the local CA with HTTPS off', () => {
  const it = serverTest(databaseTargets[0]!, { owner: false });

  it.for(['/api/v1/system/ca.pem', '/api/v1/system/ca.mobileconfig'])(
    '%s is 404 NOT_FOUND',
    async (url, { server }) => {
      const response = await server.app.inject({ url });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
      expect(response.json().error.message).toContain('ICLOOD_TLS_PORT');
    },
  );
});
