import type { Scope } from '@iclood/api-types';
import type { Device } from '@iclood/db';
import type { App } from '../../types.js';
import type { TokenClaims } from './sessions.js';

/**
 * A device token: long-lived (a phone or Shortcut should not need to sign in again), so it
 * carries no expiry; it is revoked by deleting the device, which the server checks on every
 * request. `jti` is the device's token id, so re-issuing a token invalidates the old one.
 */
export function signDeviceToken(app: App, device: Device): string {
  const claims: TokenClaims = {
    sub: device.user_id,
    typ: 'device',
    did: device.id,
    scp: device.scopes as Scope[],
  };
  return app.jwt.sign(claims, { jti: device.token_id, clockTimestamp: app.now().getTime() });
}
