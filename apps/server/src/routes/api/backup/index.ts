import {
  BackupHistory,
  BackupHistoryQuery,
  BackupSessionResult,
  BackupStatusResult,
  StartBackupRequest,
  StopBackupRequest,
  SuccessEnvelope,
  withErrorResponses,
  type BackupSession as BackupSessionBody,
} from '@iclood/api-types';
import {
  backupStatus,
  findDevice,
  findHouseholdDevice,
  listBackupSessions,
  startBackupSession,
  stopBackupSession,
  type BackupSession,
} from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { decodeCursor, encodeCursor } from '../../../services/library/cursor.js';
import { isHouseholdAdmin, ownersAsked } from '../../../services/accounts/household-access.js';
import { principalOf, type AppPlugin, type Principal } from '../../../types.js';

function toSessionBody(session: BackupSession): BackupSessionBody {
  return {
    id: session.id,
    deviceId: session.device_id,
    status: session.status,
    startedAt: session.started_at.toISOString(),
    endedAt: session.ended_at?.toISOString() ?? null,
    expectedFiles: session.expected_files,
    expectedBytes: session.expected_bytes,
    files: session.files,
    bytes: session.bytes,
    duplicates: session.duplicates,
    failures: session.failures,
    error: session.error,
  };
}

/** Backup sessions belong to a paired device (the app or a Shortcut), not to a browser login. */
function deviceOf(principal: Principal): string {
  if (principal.kind !== 'device') {
    throw new ApiError('FORBIDDEN', 'Backup sessions are run by a paired device or a Shortcut token');
  }
  return principal.tokenRowId;
}

const backupRoutes: AppPlugin = async (app) => {
  app.post(
    '/start',
    {
      // Every field is optional, so a plain POST with no body at all (what a Shortcut sends when
      // it counts nothing) starts a session too; a body that is sent must be a JSON object.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['backup'],
        summary:
          'Start a backup session; uploads sent with its id are counted in it (the body may be left out)',
        body: StartBackupRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(BackupSessionResult) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const session = await startBackupSession(app.db, {
        userId: principal.user.id,
        deviceId: deviceOf(principal),
        expectedFiles: request.body?.expectedFiles,
        expectedBytes: request.body?.expectedBytes,
        now: app.now(),
      });
      return reply.code(201).send(ok({ session: toSessionBody(session) }, 'Backup started'));
    },
  );

  app.post(
    '/stop',
    {
      schema: {
        tags: ['backup'],
        summary: 'End a session: completed, or failed with the error the device saw',
        body: StopBackupRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(BackupSessionResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const session = await stopBackupSession(app.db, {
        id: request.body.sessionId,
        userId: principal.user.id,
        deviceId: deviceOf(principal),
        now: app.now(),
        error: request.body.error,
      });
      if (!session) throw new ApiError('NOT_FOUND', 'No such backup session for this device');
      return ok(
        { session: toSessionBody(session) },
        session.status === 'completed' ? 'Backup complete' : 'Backup ended',
      );
    },
  );

  app.get(
    '/status',
    {
      schema: {
        tags: ['backup'],
        summary: "This device's running session, and when its last completed backup ended and started",
        response: withErrorResponses({ 200: SuccessEnvelope(BackupStatusResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const status = await backupStatus(app.db, { userId: principal.user.id, deviceId: deviceOf(principal) });
      return ok({
        current: status.current ? toSessionBody(status.current) : null,
        lastCompletedAt: status.lastCompletedAt?.toISOString() ?? null,
        lastCompletedStartedAt: status.lastCompletedStartedAt?.toISOString() ?? null,
      });
    },
  );

  app.get(
    '/history',
    {
      schema: {
        tags: ['backup'],
        summary:
          'Past sessions, newest first: a device sees its own; a signed-in user all of theirs, or one ' +
          "device's; an owner or admin a member's (`user`), the household's (`user=all`) or any device's",
        description:
          '`user` naming someone else, or `all`, without the `admin` scope is 403 `FORBIDDEN`; a `device` ' +
          'the caller may not see, or no longer active, is 404 `NOT_FOUND`. `device` alone lists that ' +
          "device's sessions, whoever's it is; with `user` too, both must match. `nextCursor` pages on " +
          'with the same filters.',
        querystring: BackupHistoryQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(BackupHistory) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { user, device } = request.query;
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      let owners = await ownersAsked(app, principal, user, 'backups');
      let deviceId: string | undefined;
      if (principal.kind === 'device') {
        // A device token sees only its own sessions.
        if (device !== undefined && device !== principal.tokenRowId) {
          throw new ApiError('NOT_FOUND', 'No such device');
        }
        deviceId = principal.tokenRowId;
      } else if (device !== undefined) {
        const found = isHouseholdAdmin(principal)
          ? await findHouseholdDevice(app.db, { id: device })
          : await findDevice(app.db, { id: device, userId: principal.user.id });
        if (!found) throw new ApiError('NOT_FOUND', 'No such device');
        deviceId = found.id;
        // The device, which the caller may see, says whose sessions; `user` as well narrows it.
        if (user === undefined) owners = { userId: found.user_id };
      }
      const page = await listBackupSessions(app.db, {
        ...owners,
        deviceId,
        limit,
        ...(before ? { before: { startedAt: before.at, id: before.id } } : {}),
      });
      const next = page.nextCursor;
      return ok({
        sessions: page.items.map(toSessionBody),
        nextCursor: next ? encodeCursor({ at: next.startedAt, id: next.id }) : null,
      });
    },
  );
};

export default backupRoutes;
