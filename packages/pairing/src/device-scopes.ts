import { SCOPES, type Scope } from '@iclood/api-types';

/**
 * Every scope a device token can carry: `media.upload` (check, upload, ignore, backup sessions),
 * `media.read`, `media.write`, and `admin` (users, server). The one list is the HTTP contract's
 * (`SCOPES` in @iclood/api-types); the database's `devices_scopes_check` constraint holds the same.
 */
export const ALL_SCOPES = SCOPES;
export type { Scope };

/** What a phone paired through the iClood app gets. */
export const APP_DEVICE_SCOPES = [
  'media.upload',
  'media.read',
  'media.write',
] as const satisfies readonly Scope[];

/** What an iOS Shortcut token gets unless the user asks for more: upload only. */
export const SHORTCUT_DEFAULT_SCOPES = ['media.upload'] as const satisfies readonly Scope[];

/** True when `value` is one of {@link ALL_SCOPES}. */
export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (ALL_SCOPES as readonly string[]).includes(value);
}
