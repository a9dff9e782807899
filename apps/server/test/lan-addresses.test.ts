import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  lanDisplayName,
  lanUrls,
  listenUrls,
  listLanAddresses,
} from '../src/services/network/lan-addresses.js';

function entry(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const common = { address, netmask: '', mac: '02:00:00:00:00:01', internal, cidr: null };
  return family === 'IPv4' ? { ...common, family } : { ...common, family, scopeid: 0 };
}

const TABLE = {
  lo: [entry('127.0.0.1', 'IPv4', true), entry('::1', 'IPv6', true)],
  wlan0: [
    entry('fe80::1c2:3ff:fe45:6789', 'IPv6'),
    entry('fd12:3456::20', 'IPv6'),
    entry('192.168.1.20', 'IPv4'),
  ],
  eth0: [entry('10.0.0.7', 'IPv4'), entry('192.168.1.20', 'IPv4')],
};

describe('the host on the LAN', () => {
  it('lists non-internal addresses, IPv4 first, without link-local IPv6 or duplicates', () => {
    expect(listLanAddresses(TABLE)).toEqual([
      { address: '192.168.1.20', family: 'IPv4', interfaceName: 'wlan0' },
      { address: '10.0.0.7', family: 'IPv4', interfaceName: 'eth0' },
      { address: 'fd12:3456::20', family: 'IPv6', interfaceName: 'wlan0' },
    ]);
  });

  it('builds the LAN URLs a phone can use for each kind of bind address', () => {
    const addresses = listLanAddresses(TABLE);
    expect(lanUrls({ host: '0.0.0.0', port: 8080, addresses })).toEqual([
      'http://192.168.1.20:8080',
      'http://10.0.0.7:8080',
    ]);
    expect(lanUrls({ host: '::', port: 8443, protocol: 'https', addresses })).toEqual([
      'https://192.168.1.20:8443',
      'https://10.0.0.7:8443',
      'https://[fd12:3456::20]:8443',
    ]);
    expect(lanUrls({ host: '192.168.1.20', port: 8080, addresses })).toEqual(['http://192.168.1.20:8080']);
    expect(lanUrls({ host: '127.0.0.1', port: 8080, addresses })).toEqual([]);
  });

  it('prints localhost first, then the LAN, or just the one bound address', () => {
    const addresses = listLanAddresses(TABLE);
    expect(listenUrls({ host: '0.0.0.0', port: 8080, addresses })).toEqual([
      'http://localhost:8080',
      'http://192.168.1.20:8080',
      'http://10.0.0.7:8080',
    ]);
    expect(listenUrls({ host: '::1', port: 8080, addresses })).toEqual(['http://[::1]:8080']);
  });

  it('names itself after the machine', () => {
    expect(lanDisplayName('raspberrypi')).toBe('iClood on raspberrypi');
    expect(lanDisplayName('raspberrypi.local')).toBe('iClood on raspberrypi');
  });
});
