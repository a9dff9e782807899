import type { Scope, UserSummary } from '@iclood/api-types';
import type { Database, DatabaseHandle, Kysely } from '@iclood/db';
import type { DataLayout } from '@iclood/storage';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ServerConfig } from './config.js';
import type { JobRunner } from './services/jobs/job-runner.js';

/** The Fastify instance with the TypeBox type provider, as routes see it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
export type AppPlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, TypeBoxTypeProvider>;

/** Who is calling: the user, what the token may do, and the row it names. */
export interface Principal {
  user: UserSummary;
  scopes: Scope[];
  kind: 'session' | 'device';
  /** The auth session or device id the token names. */
  tokenRowId: string;
  expiresAt: Date | null;
  /** Where the token came from; cookie-borne requests get a cross-site check. */
  via: 'bearer' | 'cookie';
}

/**
 * Who may call a route, decided on the route the router matched, never on the URL's text.
 * - `'public'`: no token (ping, setup, sign-in, register, the CA certificate)
 * - `'principal'`: any valid token, whatever it may do (who am I, sign out)
 * - `'user-session'`: a signed-in user (dashboard or CLI login), not a device token: minting
 *   tokens and opening pairings
 * - a scope: a token that carries it (`'admin'`: the owner's household and server routes)
 */
export type RouteAccess = 'public' | 'principal' | 'user-session' | Scope;

export interface ServerIdentity {
  serverId: string;
  version: string;
  startedAt: Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: ServerConfig;
    /** Injectable clock; every time-based decision uses it. */
    now: () => Date;
    database: DatabaseHandle;
    db: Kysely<Database>;
    identity: ServerIdentity;
    /** Absolute paths of the data and library folders (DESIGN §2). */
    layout: DataLayout;
    /** The background job runner (thumbnails and other persisted work). */
    jobs: JobRunner;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /**
     * Who may call this route. Every route under `/api` must have it, declared on the route or
     * for its whole folder (`folderAccess` in the folder's `autohooks.ts`): one that has none is
     * refused when it is registered, so the server does not start (deny by default).
     */
    access?: RouteAccess;
  }
}

/** Principal accessor for handlers on authenticated routes. */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Error('principalOf() used on a public route');
  return request.principal;
}
