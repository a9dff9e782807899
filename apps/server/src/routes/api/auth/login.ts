import {
  ChangePasswordRequest,
  ChangePasswordResult,
  LoginRequest,
  LoginResult,
  LogoutResult,
  Me,
  RevokeOtherSessionsResult,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { findUserByUsername, revokeAuthSession, revokeDevice, revokeUserAuthSessions } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { changeOwnPassword } from '../../../services/accounts/own-password.js';
import { verifyPassword } from '../../../services/accounts/passwords.js';
import { clearAuthCookies, startSession } from '../../../services/accounts/sessions.js';
import { principalOf, type AppPlugin } from '../../../types.js';

const authRoutes: AppPlugin = async (app) => {
  app.post(
    '/login',
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
    '/logout',
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
      clearAuthCookies(reply);
      return ok({ revoked }, 'Signed out');
    },
  );

  app.post(
    '/password',
    {
      // Wrong current passwords are guesses like wrong logins: the same budget per address.
      config: { access: 'user-session', rateLimit: app.loginRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password',
        description:
          'Needs the current password (403 WRONG_CURRENT_PASSWORD otherwise; attempts are limited per ' +
          'address like sign-ins, 429 RATE_LIMITED). Keeps this session, ends your other dashboard and ' +
          'CLI sign-ins, and leaves paired phones and Shortcut tokens working.',
        body: ChangePasswordRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(ChangePasswordResult) }),
      },
    },
    async (request) => {
      const revokedSessions = await changeOwnPassword(app, request, request.body);
      return ok({ revokedSessions }, 'Password changed');
    },
  );

  app.post(
    '/sessions/revoke-others',
    {
      config: { access: 'user-session' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere else',
        description:
          "Ends the caller's other dashboard and CLI sign-ins; this one goes on. Paired phones and " +
          'Shortcut tokens are devices and keep working (remove them under devices).',
        response: withErrorResponses({ 200: SuccessEnvelope(RevokeOtherSessionsResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const revoked = await revokeUserAuthSessions(app.db, {
        userId: principal.user.id,
        now: app.now(),
        exceptSessionId: principal.tokenRowId,
      });
      return ok(
        { revoked },
        revoked === 1 ? 'Signed out 1 other session' : `Signed out ${revoked} other sessions`,
      );
    },
  );

  app.get(
    '/me',
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
