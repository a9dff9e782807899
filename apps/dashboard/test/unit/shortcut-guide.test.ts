import { describe, expect, it } from 'vitest';
import { defaultShortcutName, isLoopbackHost, shortcutServerAddress } from '../../src/lib/shortcut-guide.js';

const page = (origin: string) => {
  const url = new URL(origin);
  return { protocol: url.protocol, hostname: url.hostname, origin: url.origin };
};

describe('the Shortcut guide', () => {
  it('uses the page origin, or the HTTPS port of the same host when HTTPS is on', () => {
    expect(shortcutServerAddress(page('http://iclood.local:8080'))).toBe('http://iclood.local:8080');
    expect(shortcutServerAddress(page('http://iclood.local:8080'), { enabled: false, port: null })).toBe(
      'http://iclood.local:8080',
    );
    expect(shortcutServerAddress(page('http://192.168.1.20:8080'), { enabled: true, port: 8443 })).toBe(
      'https://192.168.1.20:8443',
    );
    expect(shortcutServerAddress(page('http://iclood.local'), { enabled: true, port: 443 })).toBe(
      'https://iclood.local',
    );
    expect(shortcutServerAddress(page('http://[fd00::5]:8080'), { enabled: true, port: 8443 })).toBe(
      'https://[fd00::5]:8443',
    );
    // Opened over HTTPS already: that address.
    expect(
      shortcutServerAddress(page('https://photos.example.lan:8443'), { enabled: true, port: 8443 }),
    ).toBe('https://photos.example.lan:8443');
  });

  it('knows the addresses a phone cannot reach', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '::1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['iclood.local', '192.168.1.20', '[fd00::5]', '10.0.0.127']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('names the Shortcut after its owner', () => {
    expect(defaultShortcutName({ displayName: 'Anna', username: 'anna' })).toBe("Anna's iPhone Shortcut");
    expect(defaultShortcutName({ displayName: null, username: 'tom' })).toBe("tom's iPhone Shortcut");
    expect(defaultShortcutName({ displayName: '  ', username: 'tom' })).toBe("tom's iPhone Shortcut");
    expect(defaultShortcutName(null)).toBe('iPhone Shortcut');
  });
});
