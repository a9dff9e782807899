import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../src/lib/routes.js';

describe('parseRoute', () => {
  it('gives every view its URL', () => {
    expect(parseRoute('/')).toEqual({ name: 'photos' });
    expect(parseRoute('/photos')).toEqual({ name: 'photos' });
    expect(parseRoute('/photos/')).toEqual({ name: 'photos' });
    expect(parseRoute('/photos/0b9c8d4e-0000-4000-8000-000000000000')).toEqual({
      name: 'viewer',
      id: '0b9c8d4e-0000-4000-8000-000000000000',
    });
    expect(parseRoute('/albums')).toEqual({ name: 'albums' });
    expect(parseRoute('/albums/abc')).toEqual({ name: 'album', id: 'abc' });
    for (const name of ['favorites', 'search', 'trash', 'status', 'shortcut'] as const) {
      expect(parseRoute(`/${name}`)).toEqual({ name });
    }
    for (const name of ['account', 'people', 'storage'] as const) {
      expect(parseRoute(`/${name}`)).toEqual({ name });
      expect(parseRoute(`/${name}/`)).toEqual({ name });
      expect(parseRoute(`/${name}/x`)).toEqual({ name: 'not-found' });
    }
  });

  it('has the phones pages: the devices list and adding a phone', () => {
    expect(parseRoute('/devices')).toEqual({ name: 'devices' });
    expect(parseRoute('/devices/')).toEqual({ name: 'devices' });
    expect(parseRoute('/devices/add')).toEqual({ name: 'add-phone' });
    expect(parseRoute('/pair')).toEqual({ name: 'pair' });
    expect(parseRoute('/pair/x')).toEqual({ name: 'not-found' });
    expect(parseRoute('/devices/other')).toEqual({ name: 'not-found' });
    expect(parseRoute('/devices/add/x')).toEqual({ name: 'not-found' });
  });

  it('decodes ids and answers not-found for anything else', () => {
    expect(parseRoute('/albums/a%20b')).toEqual({ name: 'album', id: 'a b' });
    expect(parseRoute('/albums/%E0%A4%A')).toEqual({ name: 'album', id: '%E0%A4%A' });
    expect(parseRoute('/photos/a/b')).toEqual({ name: 'not-found' });
    expect(parseRoute('/trash/x')).toEqual({ name: 'not-found' });
    expect(parseRoute('/shortcut/x')).toEqual({ name: 'not-found' });
    expect(parseRoute('/nope')).toEqual({ name: 'not-found' });
  });
});
