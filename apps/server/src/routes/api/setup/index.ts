import {
  LoginResult,
  SetupRequest,
  SetupStatus,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { countUsers, createFirstOwner } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { hashPassword } from '../../../services/accounts/passwords.js';
import { startSession } from '../../../services/accounts/sessions.js';
import { assertNewUsername, withNewLibraryFolder } from '../../../services/accounts/users.js';
import type { AppPlugin } from '../../../types.js';

/** First run: create the owner from the dashboard's setup page. Closed once any user exists. */
const setupRoutes: AppPlugin = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['setup'],
        summary: 'Whether the owner account still has to be created',
        response: withErrorResponses({ 200: SuccessEnvelope(SetupStatus) }),
      },
    },
    async () => ok({ needed: (await countUsers(app.db)) === 0 }),
  );

  app.post(
    '/',
    {
      config: { rateLimit: app.loginRateLimit },
      schema: {
        tags: ['setup'],
        summary: 'Create the owner account (only while no user exists) and sign in',
        body: SetupRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(LoginResult) }),
      },
    },
    async (request, reply) => {
      const alreadyDone = () => new ApiError('SETUP_ALREADY_DONE', 'Setup is already done; sign in instead');
      if ((await countUsers(app.db)) > 0) throw alreadyDone();
      const { username, password, displayName } = request.body;
      assertNewUsername(username);
      const passwordHash = await hashPassword(password);
      const owner = await withNewLibraryFolder(app.config.libraryDir, username, (libraryFolder) =>
        createFirstOwner(app.db, { username, libraryFolder, passwordHash, displayName: displayName ?? null }),
      );
      if (!owner) throw alreadyDone();
      request.log.info({ username: owner.username }, 'owner account created from the setup page');
      const session = await startSession(app, request, reply, owner);
      return reply.code(201).send(ok(session, 'Owner account created'));
    },
  );
};

export default setupRoutes;
