import { randomUUID } from 'node:crypto';
import {
  CreateDeviceRequest,
  CreateDeviceResult,
  DeviceList,
  DeviceParams,
  DeviceResult,
  RevokeDeviceResult,
  SuccessEnvelope,
  UpdateDeviceRequest,
  withErrorResponses,
  type Scope,
} from '@iclood/api-types';
import { createDevice, findDevice, listDevices, revokeDevice, updateDevice } from '@iclood/db';
import { SHORTCUT_DEFAULT_SCOPES, renderQrSvg } from '@iclood/pairing';
import { ok } from '../../envelope.js';
import { ApiError } from '../../errors.js';
import { signDeviceToken, toDeviceSummary } from '../../services/devices.js';
import { principalOf, type AppPlugin, type Principal } from '../../types.js';

/** A device token may manage only itself; a signed-in user manages all of their devices. */
function assertMayManage(principal: Principal, deviceId: string): void {
  if (principal.kind === 'device' && principal.tokenRowId !== deviceId) {
    throw new ApiError('NOT_FOUND', 'No such device');
  }
}

const deviceRoutes: AppPlugin = async (app) => {
  const currentDeviceId = (principal: Principal) =>
    principal.kind === 'device' ? principal.tokenRowId : undefined;

  app.get(
    '/devices',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['devices'],
        summary: "The caller's paired phones and Shortcut tokens",
        response: withErrorResponses({ 200: SuccessEnvelope(DeviceList) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const devices = await listDevices(app.db, { userId: principal.user.id });
      return ok({ devices: devices.map((device) => toDeviceSummary(device, currentDeviceId(principal))) });
    },
  );

  app.post(
    '/devices',
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
    '/devices/:id',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['devices'],
        summary: 'Rename a device or change its backup preferences',
        params: DeviceParams,
        body: UpdateDeviceRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(DeviceResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      assertMayManage(principal, request.params.id);
      const { name, preferences } = request.body;
      const device = await updateDevice(app.db, {
        id: request.params.id,
        userId: principal.user.id,
        changes: {
          name,
          backupFrequency: preferences?.frequency,
          backupSelection: preferences?.selection,
          deleteAfterBackup: preferences?.deleteAfterBackup,
        },
      });
      if (!device) throw new ApiError('NOT_FOUND', 'No such device');
      return ok({ device: toDeviceSummary(device, currentDeviceId(principal)) }, 'Device updated');
    },
  );

  app.delete(
    '/devices/:id',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['devices'],
        summary: 'Unpair a device: its token is refused from the next request on',
        params: DeviceParams,
        response: withErrorResponses({ 200: SuccessEnvelope(RevokeDeviceResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      assertMayManage(principal, request.params.id);
      const device = await findDevice(app.db, { id: request.params.id, userId: principal.user.id });
      if (!device) throw new ApiError('NOT_FOUND', 'No such device');
      await revokeDevice(app.db, { id: device.id, userId: principal.user.id, now: app.now() });
      request.log.info({ deviceId: device.id }, 'device revoked');
      return ok({ revoked: true, id: device.id }, 'Device removed');
    },
  );
};

export default deviceRoutes;
