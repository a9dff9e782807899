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
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { hashPassword } from '../../../services/accounts/passwords.js';
import {
  assertMayCreateWithRole,
  assertMayDelete,
  assertMayUpdate,
} from '../../../services/accounts/user-permissions.js';
import { assertNewUsername, toUserSummary, withNewLibraryFolder } from '../../../services/accounts/users.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/**
 * The household: the owner and admins (scope `admin`) add, edit and remove members; only the
 * owner makes or unmakes admins (services/accounts/user-permissions.ts has the rules).
 */
const userRoutes: AppPlugin = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['users'],
        summary: 'Everyone in the household',
        response: withErrorResponses({ 200: SuccessEnvelope(UserList) }),
      },
    },
    async () => ok({ users: (await listUsers(app.db)).map(toUserSummary) }),
  );

  app.post(
    '/',
    {
      schema: {
        tags: ['users'],
        summary: 'Add a household member with their own library and devices',
        description: "`role` is 'member' unless given; only the owner may add an 'admin' (403 OWNER_ONLY).",
        body: CreateUserRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(UserResult) }),
      },
    },
    async (request, reply) => {
      const { username, password, displayName, role = 'member' } = request.body;
      assertMayCreateWithRole(principalOf(request), role);
      assertNewUsername(username);
      const passwordHash = await hashPassword(password);
      const user = await withNewLibraryFolder(app.config.libraryDir, username, (libraryFolder) =>
        createUser(app.db, {
          username,
          libraryFolder,
          passwordHash,
          role,
          displayName: displayName ?? null,
        }),
      );
      request.log.info(
        { userId: user.id, username: user.username, libraryFolder: user.library_folder, role },
        'member added',
      );
      return reply
        .code(201)
        .send(ok({ user: toUserSummary(user) }, role === 'admin' ? 'Admin added' : 'Member added'));
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's display name, password or role",
        description:
          'A new password signs them out of the dashboard and CLI everywhere but here (their paired ' +
          "devices keep working). `role` ('admin' or 'member') is the owner's to change (403 " +
          "OWNER_ONLY), never the owner's own (409 CANNOT_CHANGE_OWNER_ROLE). An admin may change " +
          'members and themselves, not the owner or another admin (403 OWNER_ONLY).',
        params: UserParams,
        body: UpdateUserRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(UserResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { displayName, password, role } = request.body;
      const target = await findUserById(app.db, request.params.id);
      if (!target) throw new ApiError('NOT_FOUND', 'No such user');
      assertMayUpdate(principal, target, { role });
      const user = await updateUser(app.db, {
        id: target.id,
        changes: {
          ...(displayName !== undefined ? { displayName } : {}),
          ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
          ...(role !== undefined ? { role } : {}),
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
      if (role !== undefined && role !== target.role) {
        request.log.info({ userId: user.id, from: target.role, to: role }, 'role changed');
      }
      return ok({ user: toUserSummary(user) }, 'User updated');
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Remove someone: their devices and sign-ins stop at once; their files stay on the disk',
        description:
          'Deletes the account and, with it, every paired phone, CLI login and Shortcut token of theirs ' +
          '(refused from the next request on), their sign-ins and open pairings, and their catalog: ' +
          'the records of their photos and videos (the trash included), albums, backup history and ' +
          'ignore list. Nothing is deleted from the library disk: their original files stay in their ' +
          'folder (`libraryFolder`) as they are, for someone to copy off or delete by hand, and a new ' +
          'account never writes into it (a new user of the same name gets `<name>-2`). Their thumbnails ' +
          'go at the next storage clean-up (`POST /system/cleanup`). This cannot be undone: adding them ' +
          'again starts an empty library, and their phones must be paired again. The owner cannot be ' +
          'removed (409 CANNOT_DELETE_OWNER), nobody removes themselves (409 CANNOT_DELETE_SELF), and ' +
          'only the owner removes an admin (403 OWNER_ONLY). The answer counts what went.',
        params: UserParams,
        response: withErrorResponses({ 200: SuccessEnvelope(DeleteUserResult) }),
      },
    },
    async (request) => {
      const user = await findUserById(app.db, request.params.id);
      if (!user) throw new ApiError('NOT_FOUND', 'No such user');
      assertMayDelete(principalOf(request), user);
      const removed = await deleteUser(app.db, { id: user.id, now: app.now() });
      if (!removed) throw new ApiError('NOT_FOUND', 'No such user');
      request.log.info({ userId: user.id, ...removed }, 'member removed');
      return ok(
        {
          deleted: true,
          id: user.id,
          libraryFolder: user.library_folder,
          removedDevices: removed.devices,
          endedSessions: removed.sessions,
          removedItems: removed.items,
          removedBytes: removed.bytes,
          removedTrashItems: removed.trashedItems,
          removedAlbums: removed.albums,
        },
        `${user.username} removed; their original files stay on the library disk in "${user.library_folder}"`,
      );
    },
  );
};

export default userRoutes;
