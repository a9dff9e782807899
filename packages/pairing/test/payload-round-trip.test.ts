import { describe, expect, it } from 'vitest';

import {
  buildPairingPayload,
  buildTokenPayload,
  parsePairingPayload,
  parseTokenPayload,
  type PairingPayload,
} from '../src/index.js';
import { samplePairingPayload } from './helper.js';

describe('QR payloads round trip', () => {
  it('carries every field of a pairing, with u repeated once per URL in order', () => {
    const payload = samplePairingPayload({
      urls: ['https://iclood.local:8443', 'http://iclood.local:8080', 'http://192.168.1.20:8080'],
    });
    const text = buildPairingPayload(payload);

    expect(text.startsWith('iclood://pair?v=1&u=')).toBe(true);
    expect(text).toBe(
      'iclood://pair?v=1' +
        '&u=https%3A%2F%2Ficlood.local%3A8443&u=http%3A%2F%2Ficlood.local%3A8080&u=http%3A%2F%2F192.168.1.20%3A8080' +
        `&s=${payload.secret}&c=${payload.code}&id=${payload.serverId}&fp=${payload.fingerprint}`,
    );
    expect(parsePairingPayload(text)).toEqual(payload);

    // An independent reader (WHATWG URL) sees the same fields.
    const params = new URL(text).searchParams;
    expect(params.getAll('u')).toEqual(payload.urls);
    expect(params.get('s')).toBe(payload.secret);
  });

  it('leaves fp out when there is no fingerprint', () => {
    const { fingerprint: _omitted, ...payload } = samplePairingPayload({
      urls: ['http://192.168.1.20:8080'],
    });
    const text = buildPairingPayload(payload);
    expect(text).not.toContain('fp=');
    const parsed = parsePairingPayload(text);
    expect(parsed).toEqual(payload);
    expect('fingerprint' in parsed).toBe(false);
  });

  it('keeps URLs with spaces, +, %, &, =, #, non-ASCII hosts and paths intact', () => {
    const urls = [
      'http://192.168.1.20:8080/iclood photos/?a=1&b=2+3',
      'https://fotos-café.local/%41/x#frag',
      'http://nas.local/a=b&c=d?e=%2B',
    ];
    const payload = samplePairingPayload({ urls, fingerprint: 'sha256/q+/Zm9vYmFyYmF6==:AB_cd-ef' });
    const text = buildPairingPayload(payload);
    // Nothing that a form decoder would read differently: no raw space, + or second ?.
    expect(text.slice('iclood://pair?'.length)).toMatch(/^[A-Za-z0-9=&%._~!*'()-]+$/);
    expect(parsePairingPayload(text)).toEqual(payload);
  });

  it('keeps IPv6 URLs intact', () => {
    const payload: PairingPayload = samplePairingPayload({
      urls: ['http://[fd00::1a2b]:8080', 'https://[2001:db8::20]/', 'http://[::1]:8080/api'],
    });
    const parsed = parsePairingPayload(buildPairingPayload(payload));
    expect(parsed.urls).toEqual(payload.urls);
    expect(new URL(parsed.urls[0]!).hostname).toBe('[fd00::1a2b]');
  });

  it('puts the pairing code in canonical form', () => {
    const payload = samplePairingPayload({ code: 'bcdf-ghjk' });
    const text = buildPairingPayload(payload);
    expect(text).toContain('&c=BCDFGHJK&');
    expect(parsePairingPayload(text).code).toBe('BCDFGHJK');
  });

  it('carries a Shortcuts token with every URL', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwic2NwIjpbIm1lZGlhLnVwbG9hZCJdfQ.c2lnbmF0dXJl-_+/=&#%';
    const payload = {
      urls: ['http://192.168.1.20:8080', 'http://[fd00::1]:8080'],
      token,
      serverId: '5f0c7a8e-0f0e-4d5c-9b8a-1c2d3e4f5a6b',
      fingerprint: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
    };
    const text = buildTokenPayload(payload);
    expect(text.startsWith('iclood://token?v=1&u=http%3A%2F%2F192.168.1.20%3A8080&u=')).toBe(true);
    expect(text).toContain(`&t=${encodeURIComponent(token)}&id=${payload.serverId}&fp=`);
    expect(parseTokenPayload(text)).toEqual(payload);

    const { fingerprint: _omitted, ...withoutFingerprint } = payload;
    expect(parseTokenPayload(buildTokenPayload(withoutFingerprint))).toEqual(withoutFingerprint);
  });

  it('ignores parameters a later version may add, and reads an upper-case scheme', () => {
    const payload = samplePairingPayload();
    const text = buildPairingPayload(payload).replace('iclood://pair?', 'ICLOOD://pair?name=Pi&') + '&x=1&';
    expect(parsePairingPayload(text)).toEqual(payload);
  });
});
