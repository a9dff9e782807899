import { describe, expect, it } from 'vitest';
import {
  deviceKind,
  pairingCredentialFrom,
  securePairingLink,
  suggestedDeviceName,
} from '../../src/lib/pairing-link.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IPAD =
  'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const PIXEL =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

describe('pairingCredentialFrom', () => {
  it('takes the secret of a pairing link, else its code', () => {
    expect(pairingCredentialFrom('#v=1&s=abc_-DEF&c=BCDFGHJK&id=x&fp=y&u=http%3A%2F%2Fa')).toEqual({
      secret: 'abc_-DEF',
    });
    expect(pairingCredentialFrom('v=1&c=BCDFGHJK&id=x')).toEqual({ code: 'BCDFGHJK' });
    expect(pairingCredentialFrom('#v=1&s=a%2Bb&c=BCDFGHJK')).toEqual({ secret: 'a+b' });
  });

  it('finds none in an empty fragment, a fragment without either, or another version', () => {
    expect(pairingCredentialFrom('')).toBeUndefined();
    expect(pairingCredentialFrom('#')).toBeUndefined();
    expect(pairingCredentialFrom('#v=1&id=x')).toBeUndefined();
    expect(pairingCredentialFrom('#v=1&s=&c=')).toBeUndefined();
    expect(pairingCredentialFrom('#s=abc&c=BCDFGHJK')).toBeUndefined();
    expect(pairingCredentialFrom('#v=2&s=abc')).toBeUndefined();
  });
});

describe('the suggested device name', () => {
  it('names the member and what they hold', () => {
    expect(deviceKind(IPHONE)).toBe('iPhone');
    expect(deviceKind(IPAD)).toBe('iPad');
    expect(deviceKind(PIXEL)).toBe('phone');
    expect(suggestedDeviceName({ username: 'anna', displayName: 'Anna' }, IPHONE)).toBe("Anna's iPhone");
    expect(suggestedDeviceName({ username: 'tom', displayName: null }, PIXEL)).toBe("tom's phone");
  });

  it('fits the 100 characters a device name may have', () => {
    expect(suggestedDeviceName({ username: 'x', displayName: 'A'.repeat(120) }, IPHONE)).toHaveLength(100);
  });
});

describe('securePairingLink', () => {
  it('puts the same fragment on the https pairing page', () => {
    expect(securePairingLink('https://192.168.1.20:8443', '#v=1&s=abc&c=BCDFGHJK')).toBe(
      'https://192.168.1.20:8443/pair#v=1&s=abc&c=BCDFGHJK',
    );
    expect(securePairingLink('https://photos.example.net/iclood/', 'v=1&s=abc')).toBe(
      'https://photos.example.net/iclood/pair#v=1&s=abc',
    );
  });

  it('gives none for a URL that is not a plain https one', () => {
    expect(securePairingLink('http://192.168.1.20:8080', '#v=1&s=abc')).toBeUndefined();
    expect(securePairingLink('javascript:alert(1)', '#v=1&s=abc')).toBeUndefined();
    expect(securePairingLink('https://a.example/?q=1', '#v=1&s=abc')).toBeUndefined();
  });
});
