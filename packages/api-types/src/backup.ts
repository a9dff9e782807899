import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';
import { PageQuery } from './media.js';

export const BackupSessionStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

export const BackupSession = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deviceId: Type.String({ format: 'uuid' }),
    status: BackupSessionStatus,
    startedAt: Timestamp,
    endedAt: Type.Union([Timestamp, Type.Null()]),
    expectedFiles: Type.Union([Type.Integer(), Type.Null()]),
    expectedBytes: Type.Union([Type.Integer(), Type.Null()]),
    files: Type.Integer({ description: 'New files stored' }),
    bytes: Type.Integer({ description: 'Bytes of the new files' }),
    duplicates: Type.Integer(),
    failures: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type BackupSession = Static<typeof BackupSession>;

export const StartBackupRequest = Type.Object(
  {
    expectedFiles: Type.Optional(Type.Integer({ minimum: 0 })),
    expectedBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type StartBackupRequest = Static<typeof StartBackupRequest>;

export const StopBackupRequest = Type.Object(
  {
    sessionId: Type.String({ format: 'uuid' }),
    error: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'Set when the backup failed' }),
    ),
  },
  { additionalProperties: false },
);
export type StopBackupRequest = Static<typeof StopBackupRequest>;

export const BackupSessionResult = Type.Object({ session: BackupSession }, { additionalProperties: false });

export const BackupStatusResult = Type.Object(
  {
    current: Type.Union([BackupSession, Type.Null()]),
    lastCompletedAt: Type.Union([Timestamp, Type.Null()], {
      description: 'When the last backup this device completed ended',
    }),
    lastCompletedStartedAt: Type.Union([Timestamp, Type.Null()], {
      description:
        'When that backup started: ask Photos for items added after this (not after `lastCompletedAt`, ' +
        'which would skip items added while the backup ran; `media/check` answers those as duplicates)',
    }),
  },
  { additionalProperties: false },
);
export type BackupStatusResult = Static<typeof BackupStatusResult>;

export const BackupHistoryQuery = Type.Object(
  {
    ...PageQuery.properties,
    device: Type.Optional(Type.String({ format: 'uuid', description: 'Only this device’s sessions' })),
    user: Type.Optional(
      Type.Union([Type.String({ format: 'uuid' }), Type.Literal('all')], {
        description:
          "Whose sessions: a user's id, or `all` for the whole household. Default: the caller's own. " +
          'Another user, or `all`, needs the `admin` scope. A device token sees only its own sessions.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type BackupHistoryQuery = Static<typeof BackupHistoryQuery>;

export const BackupHistory = Type.Object(
  { sessions: Type.Array(BackupSession), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type BackupHistory = Static<typeof BackupHistory>;
