import {
  BackupHistory,
  BackupSessionResult,
  BackupStatusResult,
  PageQuery,
  StartBackupRequest,
  StopBackupRequest,
  SuccessEnvelope,
  withErrorResponses,
  type BackupSession as BackupSessionBody,
} from '@iclood/api-types';
import {
  backupStatus,
  listBackupSessions,
  startBackupSession,
  stopBackupSession,
  type BackupSession,
} from '@iclood/db';
import { ok } from '../../envelope.js';
import { ApiError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../../services/cursor.js';
import { principalOf, type AppPlugin, type Principal } from '../../types.js';

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
  const upload = { access: 'media.upload' as const };

  app.post(
    '/backup/start',
    {
      config: upload,
      schema: {
        tags: ['backup'],
        summary: 'Start a backup session; uploads sent with its id are counted in it',
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
    '/backup/stop',
    {
      config: upload,
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
    '/backup/status',
    {
      config: upload,
      schema: {
        tags: ['backup'],
        summary: "This device's running session, and when it last completed a backup",
        response: withErrorResponses({ 200: SuccessEnvelope(BackupStatusResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const status = await backupStatus(app.db, { userId: principal.user.id, deviceId: deviceOf(principal) });
      return ok({
        current: status.current ? toSessionBody(status.current) : null,
        lastCompletedAt: status.lastCompletedAt?.toISOString() ?? null,
      });
    },
  );

  app.get(
    '/backup/history',
    {
      config: upload,
      schema: {
        tags: ['backup'],
        summary: 'Past sessions, newest first: a device sees its own, a signed-in user all of theirs',
        querystring: PageQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(BackupHistory) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const page = await listBackupSessions(app.db, {
        userId: principal.user.id,
        deviceId: principal.kind === 'device' ? principal.tokenRowId : undefined,
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
