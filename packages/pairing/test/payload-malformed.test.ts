import { describe, expect, it } from 'vitest';

import {
  PairingError,
  buildPairingPayload,
  buildTokenPayload,
  parsePairingPayload,
  parseTokenPayload,
} from '../src/index.js';
import { legacyPairingPayload, samplePairingPayload } from './helper.js';

function errorOf(run: () => unknown): PairingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PairingError);
    return err as PairingError;
  }
  throw new Error('expected a PairingError');
}

const payload = samplePairingPayload({ urls: ['http://192.168.1.20:8080'] });
// The older iclood://pair form, with its one URL as a u, so the URL cases below reach it.
const good = legacyPairingPayload(payload);
// The pairing link: the first URL is the link, further ones u in the fragment.
const link = buildPairingPayload({
  ...payload,
  urls: ['https://iclood.local:8443', 'http://192.168.1.20:8080'],
});
const goodToken = buildTokenPayload({ urls: payload.urls, token: 'a.b.c', serverId: payload.serverId });
const enc = encodeURIComponent;

describe('malformed QR payloads', () => {
  const cases: Array<[string, string]> = [
    ['empty text', ''],
    ['plain text', 'BCDF-GHJK'],
    ['a web URL', good.replace('iclood://pair', 'https://example.com/pair')],
    ['another scheme', good.replace('iclood:', 'icloud:')],
    ['a token code', goodToken],
    ['an extra path', good.replace('iclood://pair?', 'iclood://pair/x?')],
    ['credentials', good.replace('iclood://pair', 'iclood://me:pw@pair')],
    ['a fragment', `${good}#s=x`],
    ['no version', good.replace('v=1&', '')],
    ['version 2', good.replace('v=1&', 'v=2&')],
    ['two versions', good.replace('v=1&', 'v=1&v=1&')],
    ['no URL', good.replace(/u=[^&]*&/, '')],
    ['an empty URL', good.replace(/u=[^&]*&/, 'u=&')],
    ['a relative URL', good.replace(/u=[^&]*&/, `u=${enc('/api/v1')}&`)],
    ['an ftp URL', good.replace(/u=[^&]*&/, `u=${enc('ftp://192.168.1.20/')}&`)],
    ['a javascript URL', good.replace(/u=[^&]*&/, `u=${enc('javascript:alert(1)')}&`)],
    ['a URL with credentials', good.replace(/u=[^&]*&/, `u=${enc('http://admin:pw@192.168.1.20/')}&`)],
    ['a URL with surrounding space', good.replace(/u=[^&]*&/, `u=${enc(' http://192.168.1.20/')}&`)],
    ['seventeen URLs', good.replace(/u=[^&]*&/, `u=${enc('http://a.local/')}&`.repeat(17))],
    ['no secret', good.replace(/&s=[^&]*/, '')],
    ['a short secret', good.replace(/&s=[^&]*/, `&s=${payload.secret.slice(1)}`)],
    ['a padded secret', good.replace(/&s=[^&]*/, `&s=${payload.secret}%3D`)],
    ['a base64 (not url) secret', good.replace(/&s=[^&]*/, `&s=${enc(`+/${payload.secret.slice(2)}`)}`)],
    ['two secrets', good.replace(/&s=[^&]*/, `&s=${payload.secret}&s=${payload.secret}`)],
    ['no code', good.replace(/&c=[^&]*/, '')],
    ['a code with a vowel', good.replace(/&c=[^&]*/, '&c=ABCDFGHJ')],
    ['a 7-letter code', good.replace(/&c=[^&]*/, '&c=BCDFGHJ')],
    ['no server id', good.replace(/&id=[^&]*/, '')],
    ['a server id with a space', good.replace(/&id=[^&]*/, '&id=a%20b')],
    ['a malformed fingerprint', good.replace(/&fp=[^&]*/, '&fp=%3Cscript%3E')],
    ['a short fingerprint', good.replace(/&fp=[^&]*/, '&fp=abc')],
    ['two fingerprints', `${good}&fp=${payload.fingerprint}`],
    ['broken percent-encoding', good.replace(/&c=[^&]*/, '&c=%E0%A4%A')],
    ['a link without a fragment', link.slice(0, link.indexOf('#'))],
    ['a link with the fields in the query', link.replace('#', '?')],
    ['a link with a query and a fragment', link.replace('#', '?x=1#')],
    ['a link to another page', link.replace('/pair#', '/photos#')],
    ['a link below the page', link.replace('/pair#', '/pair/x#')],
    ['a link with credentials', link.replace('https://', 'https://me:pw@')],
    ['a link of another scheme', link.replace('https://', 'ftp://')],
    ['a link with an empty fragment', `${link.slice(0, link.indexOf('#'))}#`],
    ['a link without a version', link.replace('#v=1&', '#')],
    ['a link of version 2', link.replace('#v=1&', '#v=2&')],
    ['a link without a secret', link.replace(/&s=[^&]*/, '')],
    ['a link with two secrets', link.replace(/&s=[^&]*/, `&s=${payload.secret}&s=${payload.secret}`)],
    ['a link with a short secret', link.replace(/&s=[^&]*/, `&s=${payload.secret.slice(1)}`)],
    ['a link without a code', link.replace(/&c=[^&]*/, '')],
    ['a link with a code with a vowel', link.replace(/&c=[^&]*/, '&c=ABCDFGHJ')],
    ['a link without a server id', link.replace(/&id=[^&]*/, '')],
    ['a link with a malformed fingerprint', link.replace(/&fp=[^&]*/, '&fp=%3Cscript%3E')],
    ['a link with a javascript u', link.replace(/&u=[^&]*/, `&u=${enc('javascript:alert(1)')}`)],
    [
      'a link with a u with credentials',
      link.replace(/&u=[^&]*/, `&u=${enc('http://admin:pw@192.168.1.20/')}`),
    ],
    ['a link with sixteen more URLs', `${link}${`&u=${enc('http://a.local/')}`.repeat(16)}`],
    ['a link with broken percent-encoding', link.replace(/&c=[^&]*/, '&c=%E0%A4%A')],
  ];

  it.each(cases)('rejects %s with PAIRING_PAYLOAD_INVALID', (_label, text) => {
    const err = errorOf(() => parsePairingPayload(text));
    expect(err.code).toBe('PAIRING_PAYLOAD_INVALID');
    // The scanned text holds the secret; messages end up in logs.
    expect(err.message).not.toContain(payload.secret);
    if (text !== '') expect(err.message).not.toContain(text);
  });

  it('rejects token codes without a token or with a pairing code instead', () => {
    expect(errorOf(() => parseTokenPayload(goodToken.replace(/&t=[^&]*/, ''))).code).toBe(
      'PAIRING_PAYLOAD_INVALID',
    );
    expect(errorOf(() => parseTokenPayload(goodToken.replace(/&t=[^&]*/, '&t=a%20b'))).code).toBe(
      'PAIRING_PAYLOAD_INVALID',
    );
    expect(errorOf(() => parseTokenPayload(good)).code).toBe('PAIRING_PAYLOAD_INVALID');
    expect(errorOf(() => parseTokenPayload(link)).code).toBe('PAIRING_PAYLOAD_INVALID');
  });

  it('refuses to build a payload it could not read back', () => {
    for (const bad of [
      { urls: [] },
      { urls: ['192.168.1.20:8080'] },
      { secret: 'short' },
      { code: 'AAAAAAAA' },
      { serverId: '' },
      { fingerprint: 'not a fingerprint' },
      // The first URL becomes the link: it must read back as written.
      { urls: ['http://192.168.1.20:8080/'] },
      { urls: ['http://192.168.1.20:8080/?a=1'] },
      { urls: ['http://192.168.1.20:8080/#x'] },
      { urls: ['http://192.168.1.20:8080/iclood photos'] },
      { urls: ['HTTP://192.168.1.20:8080'] },
    ]) {
      expect(errorOf(() => buildPairingPayload({ ...payload, ...bad })).code).toBe('PAIRING_PAYLOAD_INVALID');
    }
    expect(
      errorOf(() => buildTokenPayload({ urls: payload.urls, token: '', serverId: payload.serverId })).code,
    ).toBe('PAIRING_PAYLOAD_INVALID');
  });
});
