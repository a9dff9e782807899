import { parsePairingPayload } from '@iclood/pairing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, openPairing, setupOwner, startTestServer, type TestServer } from './helper.js';

describe('the pairing link starts at the preferred server URL, written as browsers write it', () => {
  let server: TestServer;
  let owner: string;
  beforeAll(async () => {
    server = await startTestServer(databaseTargets[0]!, {
      ICLOOD_PUBLIC_URL: 'HTTPS://Photos.Example.NET:443/iclood//?from=config',
    });
    owner = await setupOwner(server.app);
  });
  afterAll(() => server.close());

  it('puts the page below the public URL, lower-case, without its default port, query or slashes', async () => {
    const { qrPayload } = await openPairing(server.app, owner);
    expect(qrPayload.startsWith('https://photos.example.net/iclood/pair#v=1&s=')).toBe(true);
    const payload = parsePairingPayload(qrPayload);
    expect(payload.urls[0]).toBe('https://photos.example.net/iclood');
    // The server's own address follows, as a u.
    expect(payload.urls.length).toBeGreaterThan(1);
    expect(new Set(payload.urls).size).toBe(payload.urls.length);
  });
});
