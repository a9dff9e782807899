import { describe, expect, it } from 'vitest';

import {
  buildPairingPayload,
  buildTokenPayload,
  parsePairingPayload,
  parseTokenPayload,
  type PairingPayload,
} from '../src/index.js';
import { legacyPairingPayload, samplePairingPayload } from './helper.js';

describe('QR payloads round trip', () => {
  it('is a link to the pairing page with every field in the fragment, further URLs as u in order', () => {
    const payload = samplePairingPayload({
      urls: ['https://iclood.local:8443', 'http://iclood.local:8080', 'http://192.168.1.20:8080'],
    });
    const text = buildPairingPayload(payload);

    expect(text).toBe(
      'https://iclood.local:8443/pair#v=1' +
        `&s=${payload.secret}&c=${payload.code}&id=${payload.serverId}&fp=${payload.fingerprint}` +
        '&u=http%3A%2F%2Ficlood.local%3A8080&u=http%3A%2F%2F192.168.1.20%3A8080',
    );
    expect(parsePairingPayload(text)).toEqual(payload);

    // An independent reader (WHATWG URL) sees the page, and the fields only in the fragment.
    const url = new URL(text);
    expect(url.origin + url.pathname).toBe('https://iclood.local:8443/pair');
    expect(url.search).toBe('');
    const params = new URLSearchParams(url.hash.slice(1));
    expect(params.getAll('u')).toEqual(payload.urls.slice(1));
    expect(params.get('s')).toBe(payload.secret);
    expect(params.get('c')).toBe(payload.code);
    expect(params.get('id')).toBe(payload.serverId);
  });

  it('is an http link when the preferred URL is http, and has no u with a single URL', () => {
    const payload = samplePairingPayload({ urls: ['http://192.168.1.20:8080'] });
    const text = buildPairingPayload(payload);
    expect(text.startsWith('http://192.168.1.20:8080/pair#v=1&s=')).toBe(true);
    expect(text).not.toContain('u=');
    expect(parsePairingPayload(text)).toEqual(payload);
  });

  it('puts the page below a first URL with a path (a reverse proxy)', () => {
    const payload = samplePairingPayload({
      urls: ['https://photos.example.net/iclood', 'http://10.0.0.2:8080'],
    });
    const text = buildPairingPayload(payload);
    expect(text.startsWith('https://photos.example.net/iclood/pair#v=1&')).toBe(true);
    expect(parsePairingPayload(text)).toEqual(payload);
  });

  it('still reads the older iclood://pair form, every URL a u', () => {
    const payload = samplePairingPayload({
      urls: ['https://iclood.local:8443', 'http://iclood.local:8080', 'http://192.168.1.20:8080'],
    });
    const legacy = legacyPairingPayload(payload);
    expect(legacy).toBe(
      'iclood://pair?v=1' +
        '&u=https%3A%2F%2Ficlood.local%3A8443&u=http%3A%2F%2Ficlood.local%3A8080&u=http%3A%2F%2F192.168.1.20%3A8080' +
        `&s=${payload.secret}&c=${payload.code}&id=${payload.serverId}&fp=${payload.fingerprint}`,
    );
    expect(parsePairingPayload(legacy)).toEqual(payload);
    const { fingerprint: _omitted, ...withoutFingerprint } = payload;
    expect(parsePairingPayload(legacyPairingPayload(withoutFingerprint))).toEqual(withoutFingerprint);
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
      'http://192.168.1.20:8080',
      'http://192.168.1.20:8080/iclood photos/?a=1&b=2+3',
      'https://fotos-café.local/%41/x#frag',
      'http://nas.local/a=b&c=d?e=%2B',
    ];
    const payload = samplePairingPayload({ urls, fingerprint: 'sha256/q+/Zm9vYmFyYmF6==:AB_cd-ef' });
    const text = buildPairingPayload(payload);
    // Nothing that a form decoder would read differently: no raw space, + or second # or ?.
    expect(text.slice('http://192.168.1.20:8080/pair#'.length)).toMatch(/^[A-Za-z0-9=&%._~!*'()-]+$/);
    expect(parsePairingPayload(text)).toEqual(payload);
    // The older form carried every URL in the query, and still reads back.
    const legacy = legacyPairingPayload(payload);
    expect(legacy.slice('iclood://pair?'.length)).toMatch(/^[A-Za-z0-9=&%._~!*'()-]+$/);
    expect(parsePairingPayload(legacy)).toEqual(payload);
  });

  it('keeps IPv6 URLs intact, the first one as the link', () => {
    const payload: PairingPayload = samplePairingPayload({
      urls: ['http://[fd00::1a2b]:8080', 'https://[2001:db8::20]/', 'http://[::1]:8080/api'],
    });
    const text = buildPairingPayload(payload);
    expect(new URL(text).hostname).toBe('[fd00::1a2b]');
    const parsed = parsePairingPayload(text);
    expect(parsed.urls).toEqual(payload.urls);
    expect(new URL(parsed.urls[0]!).hostname).toBe('[fd00::1a2b]');
    expect(parsePairingPayload(legacyPairingPayload(payload)).urls).toEqual(payload.urls);
  });

  it('puts the pairing code in canonical form', () => {
    const payload = samplePairingPayload({ code: 'bcdf-ghjk' });
    const text = buildPairingPayload(payload);
    expect(text).toContain('&c=BCDFGHJK&');
    expect(parsePairingPayload(legacyPairingPayload(payload)).code).toBe('BCDFGHJK');
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
    const text = buildPairingPayload(payload).replace('/pair#', '/pair#name=Pi&') + '&x=1&';
    expect(parsePairingPayload(text)).toEqual(payload);
    const legacy =
      legacyPairingPayload(payload).replace('iclood://pair?', 'ICLOOD://pair?name=Pi&') + '&x=1&';
    expect(parsePairingPayload(legacy)).toEqual(payload);
  });
});
