import {
  LoginRequest,
  LoginResult,
  LogoutResult,
  Me,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { findUserByUsername, revokeAuthSession, revokeDevice } from '@iclood/db';
import { ok } from '../../envelope.js';
import { ApiError } from '../../errors.js';
import { verifyPassword } from '../../services/passwords.js';
import { clearSessionCookie, startSession } from '../../services/sessions.js';
import { principalOf, type AppPlugin } from '../../types.js';

const authRoutes: AppPlugin = async (app) => {
  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: app.loginRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in: a bearer token, also set as the httpOnly session cookie',
        body: LoginRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(LoginResult) }),
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = await findUserByUsername(app.db, username);
      const valid = await verifyPassword(user?.password_hash, password);
      if (!user || !valid) {
        request.log.info({ username }, 'login failed');
        throw new ApiError('INVALID_CREDENTIALS', 'Wrong username or password');
      }
      return ok(await startSession(app, request, reply, user), 'Signed in');
    },
  );

  app.delete(
    '/auth/logout',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['auth'],
        summary:
          "Revoke the caller's token (a device token unpairs the device); refused from the next request on",
        response: withErrorResponses({ 200: SuccessEnvelope(LogoutResult) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const row = { id: principal.tokenRowId, userId: principal.user.id, now: app.now() };
      const revoked =
        principal.kind === 'session' ? await revokeAuthSession(app.db, row) : await revokeDevice(app.db, row);
      clearSessionCookie(reply);
      return ok({ revoked }, 'Signed out');
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'principal' },
      schema: {
        tags: ['auth'],
        summary: 'Who the token belongs to and what it may do',
        response: withErrorResponses({ 200: SuccessEnvelope(Me) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return ok({
        user: principal.user,
        scopes: principal.scopes,
        auth: {
          kind: principal.kind,
          id: principal.tokenRowId,
          expiresAt: principal.expiresAt?.toISOString() ?? null,
        },
      });
    },
  );
};

export default authRoutes;
