import {
  CreateUserRequest,
  DeleteUserResult,
  SuccessEnvelope,
  UpdateUserRequest,
  UserList,
  UserParams,
  UserResult,
  withErrorResponses,
} from '@iclood/api-types';
import {
  createUser,
  deleteUser,
  findUserById,
  listUsers,
  revokeUserAuthSessions,
  updateUser,
} from '@iclood/db';
import { ok } from '../../envelope.js';
import { ApiError } from '../../errors.js';
import { hashPassword } from '../../services/passwords.js';
import { assertNewUsername, toUserSummary, withNewLibraryFolder } from '../../services/users.js';
import { principalOf, type AppPlugin } from '../../types.js';

/** The household: the owner adds, edits and removes members (scope `admin`). */
const userRoutes: AppPlugin = async (app) => {
  const adminOnly = { access: 'admin' as const };

  app.get(
    '/users',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Everyone in the household',
        response: withErrorResponses({ 200: SuccessEnvelope(UserList) }),
      },
    },
    async () => ok({ users: (await listUsers(app.db)).map(toUserSummary) }),
  );

  app.post(
    '/users',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Add a household member with their own library and devices',
        body: CreateUserRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(UserResult) }),
      },
    },
    async (request, reply) => {
      const { username, password, displayName } = request.body;
      assertNewUsername(username);
      const passwordHash = await hashPassword(password);
      const user = await withNewLibraryFolder(app.config.libraryDir, username, (libraryFolder) =>
        createUser(app.db, {
          username,
          libraryFolder,
          passwordHash,
          role: 'member',
          displayName: displayName ?? null,
        }),
      );
      request.log.info(
        { userId: user.id, username: user.username, libraryFolder: user.library_folder },
        'member added',
      );
      return reply.code(201).send(ok({ user: toUserSummary(user) }, 'Member added'));
    },
  );

  app.patch(
    '/users/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        summary: "Change a user's display name or password (a new password signs them out everywhere else)",
        params: UserParams,
        body: UpdateUserRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(UserResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { displayName, password } = request.body;
      const user = await updateUser(app.db, {
        id: request.params.id,
        changes: {
          ...(displayName !== undefined ? { displayName } : {}),
          ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
        },
      });
      if (!user) throw new ApiError('NOT_FOUND', 'No such user');
      if (password !== undefined) {
        await revokeUserAuthSessions(app.db, {
          userId: user.id,
          now: app.now(),
          exceptSessionId: principal.kind === 'session' ? principal.tokenRowId : undefined,
        });
      }
      return ok({ user: toUserSummary(user) }, 'User updated');
    },
  );

  app.delete(
    '/users/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Remove a member: their devices and sessions stop working at once',
        params: UserParams,
        response: withErrorResponses({ 200: SuccessEnvelope(DeleteUserResult) }),
      },
    },
    async (request) => {
      const user = await findUserById(app.db, request.params.id);
      if (!user) throw new ApiError('NOT_FOUND', 'No such user');
      if (user.role === 'owner') throw new ApiError('CANNOT_DELETE_OWNER', 'The owner cannot be removed');
      await deleteUser(app.db, { id: user.id });
      request.log.info({ userId: user.id }, 'member removed');
      return ok(
        { deleted: true, id: user.id },
        'Member removed; their original files stay on the library disk in their folder',
      );
    },
  );
};

export default userRoutes;
