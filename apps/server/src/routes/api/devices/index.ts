import { randomUUID } from 'node:crypto';
import {
  CreateDeviceRequest,
  CreateDeviceResult,
  DeviceList,
  DeviceListQuery,
  DeviceParams,
  DeviceResult,
  RevokeDeviceResult,
  SuccessEnvelope,
  UpdateDeviceRequest,
  withErrorResponses,
  type Scope,
} from '@iclood/api-types';
import {
  createDevice,
  findDevice,
  findDeviceOverview,
  findHouseholdDevice,
  listDevices,
  revokeDevice,
  updateDevice,
  type Device,
} from '@iclood/db';
import { SHORTCUT_DEFAULT_SCOPES, renderQrSvg } from '@iclood/pairing';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { signDeviceToken } from '../../../services/accounts/device-tokens.js';
import { toDeviceSummary } from './device-bodies.js';
import { isHouseholdAdmin, ownersAsked } from '../../../services/accounts/household-access.js';
import { principalOf, type App, type AppPlugin, type Principal } from '../../../types.js';

/**
 * The active device a caller may rename or revoke: a device token only itself; an owner or admin
 * any device of the household; anyone else only their own. Anything else is not found (404), so
 * a member learns nothing of other members' devices.
 */
async function manageableDevice(app: App, principal: Principal, deviceId: string): Promise<Device> {
  const notFound = () => new ApiError('NOT_FOUND', 'No such device');
  if (principal.kind === 'device' && principal.tokenRowId !== deviceId) throw notFound();
  const device =
    principal.kind === 'session' && isHouseholdAdmin(principal)
      ? await findHouseholdDevice(app.db, { id: deviceId })
      : await findDevice(app.db, { id: deviceId, userId: principal.user.id });
  if (!device) throw notFound();
  return device;
}

const deviceRoutes: AppPlugin = async (app) => {
  const currentDeviceId = (principal: Principal) =>
    principal.kind === 'device' ? principal.tokenRowId : undefined;

  app.get(
    '/',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['devices'],
        summary:
          "Paired phones and Shortcut tokens, with each one's latest backup: the caller's, or (admin) a member's or the household's",
        querystring: DeviceListQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(DeviceList) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const owners = await ownersAsked(app, principal, request.query.user, 'devices');
      const devices = await listDevices(app.db, owners);
      return ok({ devices: devices.map((device) => toDeviceSummary(device, currentDeviceId(principal))) });
    },
  );

  app.post(
    '/',
    {
      config: { access: 'user-session' },
      schema: {
        tags: ['devices'],
        summary: 'Make a token for an iOS Shortcut (default scope media.upload); shown once',
        body: CreateDeviceRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(CreateDeviceResult) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scopes: Scope[] = request.body.scopes ?? [...SHORTCUT_DEFAULT_SCOPES];
      const beyond = scopes.filter((scope) => !principal.scopes.includes(scope));
      if (beyond.length > 0) {
        throw new ApiError('SCOPE_REQUIRED', `You cannot grant scopes you do not hold: ${beyond.join(', ')}`);
      }
      const device = await createDevice(app.db, {
        userId: principal.user.id,
        name: request.body.name,
        platform: 'shortcuts',
        scopes,
        tokenId: randomUUID(),
      });
      const token = signDeviceToken(app, device);
      request.log.info({ deviceId: device.id, scopes }, 'shortcut token created');
      return reply
        .code(201)
        .send(
          ok(
            { device: toDeviceSummary(device), token, qrSvg: await renderQrSvg(token) },
            'Copy the token now: it is not shown again',
          ),
        );
    },
  );

  app.patch(
    '/:id',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['devices'],
        summary: 'Rename a device or change its backup preferences (an owner or admin: any household device)',
        params: DeviceParams,
        body: UpdateDeviceRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(DeviceResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const target = await manageableDevice(app, principal, request.params.id);
      const { name, preferences } = request.body;
      const updated = await updateDevice(app.db, {
        id: target.id,
        userId: target.user_id,
        changes: {
          name,
          backupFrequency: preferences?.frequency,
          backupSelection: preferences?.selection,
          deleteAfterBackup: preferences?.deleteAfterBackup,
        },
      });
      // Revoked meanwhile: gone, as for a device that was never there.
      const device = updated && (await findDeviceOverview(app.db, { id: updated.id }));
      if (!device) throw new ApiError('NOT_FOUND', 'No such device');
      return ok({ device: toDeviceSummary(device, currentDeviceId(principal)) }, 'Device updated');
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['devices'],
        summary:
          'Unpair a device: its token is refused from the next request on (an owner or admin: any household device)',
        params: DeviceParams,
        response: withErrorResponses({ 200: SuccessEnvelope(RevokeDeviceResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const device = await manageableDevice(app, principal, request.params.id);
      await revokeDevice(app.db, { id: device.id, userId: device.user_id, now: app.now() });
      request.log.info(
        { deviceId: device.id, userId: device.user_id, by: principal.user.id },
        'device revoked',
      );
      return ok({ revoked: true, id: device.id }, 'Device removed');
    },
  );
};

export default deviceRoutes;
