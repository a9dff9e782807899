import { describe, expect, it } from 'vitest';

import { ALL_SCOPES, APP_DEVICE_SCOPES, SHORTCUT_DEFAULT_SCOPES, isScope } from '../src/index.js';

describe('device scopes', () => {
  it('give the app upload, read and write, and a Shortcut upload only', () => {
    expect(ALL_SCOPES).toEqual(['media.upload', 'media.read', 'media.write', 'admin']);
    expect(APP_DEVICE_SCOPES).toEqual(['media.upload', 'media.read', 'media.write']);
    expect(SHORTCUT_DEFAULT_SCOPES).toEqual(['media.upload']);
  });

  it('recognise only the four scope names', () => {
    for (const scope of ALL_SCOPES) expect(isScope(scope)).toBe(true);
    for (const other of ['Admin', 'media', 'media.delete', '', ' admin', null, undefined, 1, ['admin']]) {
      expect(isScope(other)).toBe(false);
    }
  });
});
