import { Type, type Static } from 'typebox';
import { Scope } from './auth.js';
import { BackupSessionStatus } from './backup.js';
import { Timestamp } from './envelope.js';

export const DevicePlatform = Type.Union([
  Type.Literal('ios'),
  Type.Literal('shortcuts'),
  Type.Literal('cli'),
  Type.Literal('web'),
  Type.Literal('other'),
]);
export type DevicePlatform = Static<typeof DevicePlatform>;

export const BackupFrequency = Type.Union([
  Type.Literal('weekly'),
  Type.Literal('daily'),
  Type.Literal('manual'),
]);
/** Back up `all` photos, or only `new` ones taken after pairing. */
export const BackupSelection = Type.Union([Type.Literal('all'), Type.Literal('new')]);

export const BackupPreferences = Type.Object(
  {
    frequency: BackupFrequency,
    selection: BackupSelection,
    deleteAfterBackup: Type.Boolean({ description: 'The app removes backed-up items from the phone' }),
  },
  { additionalProperties: false },
);
export type BackupPreferences = Static<typeof BackupPreferences>;

export const DeviceName = Type.String({ minLength: 1, maxLength: 100 });

/** How a device's latest ended backup session went. */
export const DeviceLastBackup = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Exclude(BackupSessionStatus, Type.Literal('running')),
    startedAt: Timestamp,
    endedAt: Timestamp,
    files: Type.Integer({ description: 'New files stored' }),
    bytes: Type.Integer({ description: 'Bytes of the new files' }),
    duplicates: Type.Integer(),
    failures: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type DeviceLastBackup = Static<typeof DeviceLastBackup>;

export const DeviceSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String({
      format: 'uuid',
      description: 'Whose device it is: its uploads go to their library',
    }),
    name: Type.String(),
    platform: DevicePlatform,
    scopes: Type.Array(Scope),
    createdAt: Timestamp,
    lastSeenAt: Type.Union([Timestamp, Type.Null()]),
    lastBackupAt: Type.Union([Timestamp, Type.Null()], {
      description: 'When its last completed backup ended',
    }),
    lastBackup: Type.Union([DeviceLastBackup, Type.Null()], {
      description: 'Its latest ended backup session (completed, failed or cancelled)',
    }),
    runningBackup: Type.Boolean({ description: 'A backup session of this device is running now' }),
    preferences: BackupPreferences,
    current: Type.Boolean({ description: 'True for the device whose token made this request' }),
  },
  { additionalProperties: false },
);
export type DeviceSummary = Static<typeof DeviceSummary>;

export const DeviceList = Type.Object(
  { devices: Type.Array(DeviceSummary) },
  { additionalProperties: false },
);
export type DeviceList = Static<typeof DeviceList>;

export const DeviceListQuery = Type.Object(
  {
    user: Type.Optional(
      Type.Union([Type.String({ format: 'uuid' }), Type.Literal('all')], {
        description:
          "Whose devices: a user's id, or `all` for the whole household. Default: the caller's own. " +
          'Another user, or `all`, needs the `admin` scope.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceListQuery = Static<typeof DeviceListQuery>;

export const DeviceParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type DeviceParams = Static<typeof DeviceParams>;

export const CreateDeviceRequest = Type.Object(
  {
    name: DeviceName,
    platform: Type.Literal('shortcuts'),
    scopes: Type.Optional(
      Type.Array(Scope, { minItems: 1, uniqueItems: true, description: 'Default: ["media.upload"]' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateDeviceRequest = Static<typeof CreateDeviceRequest>;

export const CreateDeviceResult = Type.Object(
  {
    device: DeviceSummary,
    token: Type.String({ description: 'Shown once: paste it into the Shortcut, or scan the QR code' }),
    qrSvg: Type.String({ description: 'SVG QR code of the token, for the Shortcut’s "Scan QR Code" action' }),
  },
  { additionalProperties: false },
);
export type CreateDeviceResult = Static<typeof CreateDeviceResult>;

export const UpdateDeviceRequest = Type.Object(
  {
    name: Type.Optional(DeviceName),
    preferences: Type.Optional(Type.Partial(BackupPreferences, { minProperties: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateDeviceRequest = Static<typeof UpdateDeviceRequest>;

export const DeviceResult = Type.Object({ device: DeviceSummary }, { additionalProperties: false });
export type DeviceResult = Static<typeof DeviceResult>;

export const RevokeDeviceResult = Type.Object(
  { revoked: Type.Boolean(), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type RevokeDeviceResult = Static<typeof RevokeDeviceResult>;
