import { describe, expect, it } from 'vitest';
import {
  codeGroups,
  countdownInWords,
  formatCountdown,
  pairingFingerprint,
  phoneAddress,
  spokenCode,
} from '../../src/lib/pairing-display.js';

describe('the pairing code and countdown', () => {
  it('shows the code in two groups of four and spells it letter by letter', () => {
    expect(codeGroups('BCDF-GHJK')).toEqual(['BCDF', 'GHJK']);
    expect(codeGroups('bcdfghjk')).toEqual(['BCDF', 'GHJK']);
    expect(spokenCode('BCDF-GHJK')).toBe('B C D F, G H J K');
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(formatCountdown(600_000)).toBe('10:00');
    expect(formatCountdown(65_001)).toBe('1:06');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(countdownInWords(61_000)).toBe('1 minute 1 second');
    expect(countdownInWords(120_000)).toBe('2 minutes');
    expect(countdownInWords(0)).toBe('0 seconds');
  });
});

describe('phoneAddress', () => {
  const legacy =
    'iclood://pair?v=1&u=https%3A%2F%2F192.168.1.20%3A8443&u=http%3A%2F%2F192.168.1.20%3A8080&s=x&c=BCDFGHJK&id=y';
  const link = 'https://192.168.1.20:8443/pair#v=1&s=x&c=BCDFGHJK&id=y&u=http%3A%2F%2F192.168.1.20%3A8080';
  it('is the page origin when a phone can reach it', () => {
    for (const payload of [legacy, link]) {
      expect(phoneAddress('http://192.168.1.20:8080', payload)).toBe('http://192.168.1.20:8080');
      expect(phoneAddress('http://iclood.local:8080', payload)).toBe('http://iclood.local:8080');
    }
  });
  it("is the QR code's first address when the page was opened on the server itself", () => {
    for (const payload of [legacy, link]) {
      expect(phoneAddress('http://localhost:8080', payload)).toBe('https://192.168.1.20:8443');
      expect(phoneAddress('http://127.0.0.1:8080', payload)).toBe('https://192.168.1.20:8443');
    }
    expect(phoneAddress('http://127.0.0.1:8080', 'iclood://pair?v=1&s=x')).toBe('http://127.0.0.1:8080');
    expect(phoneAddress('http://[::1]:8080', 'http://nas.local/iclood/pair#v=1&s=x')).toBe(
      'http://nas.local/iclood',
    );
  });
});

describe('pairingFingerprint', () => {
  it('is the certificate fingerprint the QR code gives the app to pin, or null with HTTPS off', () => {
    expect(pairingFingerprint('iclood://pair?v=1&u=x&s=y&c=BCDFGHJK&id=z&fp=Ab-c_d0123456789xyz')).toBe(
      'Ab-c_d0123456789xyz',
    );
    expect(pairingFingerprint('iclood://pair?v=1&u=x&s=y&c=BCDFGHJK&id=z')).toBeNull();
    expect(
      pairingFingerprint('https://iclood.local:8443/pair#v=1&s=y&c=BCDFGHJK&id=z&fp=Ab-c_d0123456789xyz'),
    ).toBe('Ab-c_d0123456789xyz');
    expect(pairingFingerprint('http://iclood.local:8080/pair#v=1&s=y&c=BCDFGHJK&id=z')).toBeNull();
  });
});
