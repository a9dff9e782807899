import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';
import { StorageSummary } from './system-storage.js';
import { JobQueueStatus } from './thumbnails.js';

export const DatabaseKind = Type.Union([Type.Literal('embedded'), Type.Literal('postgres')]);
export type DatabaseKind = Static<typeof DatabaseKind>;

export const SystemStatus = Type.Object(
  {
    name: Type.Literal('iClood'),
    version: Type.String(),
    serverId: Type.String({ format: 'uuid' }),
    startedAt: Timestamp,
    uptimeSeconds: Type.Number({ minimum: 0 }),
    nodeVersion: Type.String(),
    database: Type.Object(
      {
        kind: DatabaseKind,
        healthy: Type.Boolean(),
        latencyMs: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    dataDir: Type.Union([Type.String(), Type.Null()], {
      description: 'Absolute path of ICLOOD_DATA_DIR on the server; null unless the caller is an admin',
    }),
    libraryDir: Type.Union([Type.String(), Type.Null()], {
      description: 'Absolute path of ICLOOD_LIBRARY_DIR on the server; null unless the caller is an admin',
    }),
    storage: StorageSummary,
    jobs: JobQueueStatus,
    mdns: Type.Object(
      {
        enabled: Type.Boolean(),
        advertising: Type.Boolean(),
        host: Type.String(),
        services: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
    tls: Type.Object(
      {
        enabled: Type.Boolean(),
        port: Type.Union([Type.Integer(), Type.Null()]),
        fingerprint: Type.Union([
          Type.String({
            description: 'SHA-256 of the certificate public key (SPKI), base64url; what the app pins',
          }),
          Type.Null(),
        ]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SystemStatus = Static<typeof SystemStatus>;

export const RetryJobsResult = Type.Object(
  {
    requeued: Type.Integer({
      minimum: 0,
      description: 'Thumbnail jobs given up on (or missing for an item marked failed) that will run again',
    }),
  },
  { additionalProperties: false },
);
export type RetryJobsResult = Static<typeof RetryJobsResult>;
