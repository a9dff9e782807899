import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, RouteOptions } from 'fastify';
import {
  AUTH_SESSION_TOUCH_INTERVAL_MS,
  DEVICE_TOUCH_INTERVAL_MS,
  findActiveAuthSession,
  findActiveDeviceForToken,
  touchAuthSession,
  touchDevice,
} from '@iclood/db';
import { SCOPES, type Scope } from '@iclood/api-types';
import { ApiError } from '../../errors.js';
import {
  DEVICE_COOKIE,
  SESSION_COOKIE,
  scopesForRole,
  type TokenClaims,
} from '../../services/accounts/sessions.js';
import { toUserSummary } from '../../services/accounts/users.js';
import type { App, Principal, RouteAccess } from '../../types.js';

export interface AuthPluginOptions {
  jwtSecret: string;
  loginRateLimit: { max: number; timeWindowMs: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    loginRateLimit: { max: number; timeWindow: number };
    /**
     * Decides a request by the access its matched route declares (`config.access`): an
     * `onRequest` hook of the plugin that holds the protected routes.
     */
    authorize: (request: FastifyRequest) => Promise<void>;
  }
}

const ACCESS_LEVELS: ReadonlySet<string> = new Set(['public', 'principal', 'user-session', ...SCOPES]);

/**
 * Guards every route registered in `scope` (an encapsulated plugin) and its children: a route
 * that does not say who may call it, itself or through its folder ({@link folderAccess}), is
 * refused when it is registered, so the server does not start; each request is decided by the
 * access of the route the router matched.
 *
 * @example
 * const apiRoutes: AppPlugin = async (app) => {
 *   protectRoutes(app);
 *   app.get('/things', { config: { access: 'media.read' } }, listThings);
 * };
 */
export function protectRoutes(scope: FastifyInstance): void {
  scope.addHook('onRoute', settleAccess);
  scope.addHook('onRequest', scope.authorize);
}

// Set on the plugin instance of a routes folder; the instances of the route files below it are
// made from it (Object.create), so they see it and their siblings do not: encapsulation.
const FOLDER_ACCESS = Symbol('iclood.folderAccess');
type FolderScope = FastifyInstance & { [FOLDER_ACCESS]?: RouteAccess };

/**
 * The access of every route of a routes folder that declares none itself: the default export of
 * that folder's `autohooks.ts`, which @fastify/autoload registers around the folder's routes.
 * It is written into each route's `config.access` when the route is registered, so requests are
 * still decided by the matched route alone.
 *
 * @example
 * // routes/api/users/autohooks.ts
 * export default folderAccess('admin');
 */
export function folderAccess(access: RouteAccess): FastifyPluginAsync {
  if (!ACCESS_LEVELS.has(access)) throw new Error(`"${access}" is not an access level`);
  const declareFolderAccess: FastifyPluginAsync = async (folder) => {
    (folder as FolderScope)[FOLDER_ACCESS] = access;
  };
  // Runs in the folder's own instance, not a child of it (autoload marks its hooks so too).
  return Object.assign(declareFolderAccess, { [Symbol.for('skip-override')]: true });
}

function settleAccess(this: FastifyInstance, route: RouteOptions): void {
  // The object, not a copy: @fastify/swagger keeps this route's config and reads `access` later.
  route.config ??= {};
  route.config.access ??= (this as FolderScope)[FOLDER_ACCESS];
  const access = route.config.access;
  if (access === undefined || !ACCESS_LEVELS.has(access)) {
    const methods = [route.method].flat().join(',');
    throw new Error(
      `${methods} ${route.url} declares no valid config.access (public, principal, user-session or a scope)`,
    );
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface FoundToken {
  token: string;
  via: Principal['via'];
  /** A web device's cookie, which may only hold a device token. */
  deviceCookie?: true;
}

function tokenFrom(request: FastifyRequest): FoundToken | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError('TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
    return { token: match[1]!, via: 'bearer' };
  }
  const session = request.cookies[SESSION_COOKIE];
  if (session) return { token: session, via: 'cookie' };
  const device = request.cookies[DEVICE_COOKIE];
  return device ? { token: device, via: 'cookie', deviceCookie: true } : undefined;
}

// The row was just read: skip the UPDATE round trip on the many requests (uploads) that follow
// a recent one; the repository's own throttle still guards concurrent writers.
function isStale(lastSeenAt: Date | null, now: Date, intervalMs: number): boolean {
  return lastSeenAt === null || now.getTime() - lastSeenAt.getTime() >= intervalMs;
}

// Compared as URLs so default ports match either way ("localhost" vs "localhost:80").
function isSameHost(origin: string, host: string | undefined): boolean {
  try {
    const originUrl = new URL(origin);
    return originUrl.host === new URL(`${originUrl.protocol}//${host ?? ''}`).host;
  } catch {
    return false;
  }
}

// SameSite=Strict already keeps the cookie off cross-site requests; this also refuses a
// cookie-borne write whose Origin names another host (old browsers, misconfigured proxies).
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (!origin || !UNSAFE_METHODS.has(request.method)) return;
  if (!isSameHost(origin, request.headers.host)) {
    throw new ApiError('CROSS_SITE_REQUEST', 'Cross-site requests cannot use the session or device cookie');
  }
}

/**
 * Token checking, and the `authorize` hook that the API plugin runs on its routes: each route
 * declares its access and nothing is decided from the URL's text. The token's row (login session or device) is read on every request, so revoking it takes
 * effect on the very next one.
 */
export default fp<AuthPluginOptions>(
  async function authPlugin(app: App, { jwtSecret, loginRateLimit }) {
    await app.register(jwt, {
      secret: jwtSecret,
      sign: { algorithm: 'HS256' },
      verify: { algorithms: ['HS256'] },
    });
    app.decorate('loginRateLimit', { max: loginRateLimit.max, timeWindow: loginRateLimit.timeWindowMs });
    app.decorateRequest('principal', null);

    async function authenticate(request: FastifyRequest): Promise<Principal> {
      const found = tokenFrom(request);
      if (!found) throw new ApiError('UNAUTHORIZED', 'Sign in, or send "Authorization: Bearer <token>"');

      const expired = () => new ApiError('TOKEN_EXPIRED', 'The token has expired; sign in again');
      let claims: TokenClaims;
      try {
        claims = app.jwt.verify<TokenClaims>(found.token);
      } catch (error) {
        if ((error as { code?: string }).code === 'FAST_JWT_EXPIRED') throw expired();
        throw new ApiError('TOKEN_INVALID', 'The token is not valid');
      }
      const now = app.now();
      // The verifier uses the wall clock; expiry is also judged on the app's (injectable) clock.
      if (typeof claims.exp === 'number' && claims.exp * 1000 <= now.getTime()) throw expired();
      if (found.via === 'cookie') assertSameOrigin(request);

      if (typeof claims.sub !== 'string') throw new ApiError('TOKEN_INVALID', 'The token is not valid');
      if (claims.typ === 'session' && !found.deviceCookie && typeof claims.sid === 'string') {
        return sessionPrincipal(claims.sub, claims.sid, now, found.via);
      }
      if (claims.typ === 'device' && typeof claims.did === 'string' && typeof claims.jti === 'string') {
        return devicePrincipal(claims.sub, claims.did, claims.jti, now, found.via);
      }
      throw new ApiError('TOKEN_INVALID', 'The token is not valid');
    }

    async function sessionPrincipal(userId: string, sessionId: string, now: Date, via: Principal['via']) {
      const active = await findActiveAuthSession(app.db, { id: sessionId, userId, now });
      if (!active) throw new ApiError('TOKEN_REVOKED', 'This session has ended; sign in again');
      if (isStale(active.session.last_seen_at, now, AUTH_SESSION_TOUCH_INTERVAL_MS)) {
        await touchAuthSession(app.db, { id: active.session.id, now });
      }
      return {
        user: toUserSummary(active.user),
        scopes: scopesForRole(active.user.role),
        kind: 'session',
        tokenRowId: active.session.id,
        expiresAt: active.session.expires_at,
        via,
      } satisfies Principal;
    }

    async function devicePrincipal(
      userId: string,
      deviceId: string,
      tokenId: string,
      now: Date,
      via: Principal['via'],
    ) {
      const active = await findActiveDeviceForToken(app.db, { id: deviceId, userId, tokenId });
      if (!active) throw new ApiError('TOKEN_REVOKED', 'This device has been removed; pair it again');
      if (isStale(active.device.last_seen_at, now, DEVICE_TOUCH_INTERVAL_MS)) {
        await touchDevice(app.db, { id: deviceId, now });
      }
      // A device never holds more than its user's role allows (a demoted admin's devices lose admin).
      const allowed = new Set(scopesForRole(active.user.role));
      return {
        user: toUserSummary(active.user),
        scopes: (active.device.scopes as Scope[]).filter((scope) => allowed.has(scope)),
        kind: 'device',
        tokenRowId: active.device.id,
        expiresAt: null,
        via,
      } satisfies Principal;
    }

    app.decorate('authorize', async function authorize(request: FastifyRequest) {
      const access = request.routeOptions.config.access;
      // onRoute refuses routes without a declaration; this guards a route that slipped past it.
      if (access === undefined) throw new ApiError('FORBIDDEN', 'This route is not open to anyone');
      if (access === 'public') return;
      const principal = await authenticate(request);
      request.principal = principal;
      if (access === 'principal') return;
      if (access === 'user-session') {
        if (principal.kind !== 'session') {
          throw new ApiError('FORBIDDEN', 'This needs a signed-in user; a device token cannot do it');
        }
        return;
      }
      if (!principal.scopes.includes(access)) {
        throw new ApiError('SCOPE_REQUIRED', `This needs the "${access}" scope`);
      }
    });
  },
  { name: 'auth', dependencies: ['database', 'cookie'] },
);
