import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoginResult, Scope, UserRole } from '@iclood/api-types';
import { SCOPES } from '@iclood/api-types';
import { createAuthSession, type User } from '@iclood/db';
import type { App } from '../../types.js';
import { toUserSummary } from './users.js';

export const SESSION_COOKIE = 'iclood_session';
/**
 * A browser paired as a web device (the pairing page) holds its device token here: httpOnly,
 * so page scripts never see it, and checked against the device row on every request, so
 * removing the device signs that browser out.
 */
export const DEVICE_COOKIE = 'iclood_device';
/** Browsers keep a cookie at most about 400 days; a web device's token has no expiry of its own. */
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;
/** A dashboard or CLI login lasts 30 days; logout or an admin ends it sooner. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What a login session may do follows the user's role, read on every request: the owner and
 * admins hold `admin` (the household and the server), members do not.
 */
export function scopesForRole(role: UserRole): Scope[] {
  return role === 'member' ? SCOPES.filter((scope) => scope !== 'admin') : [...SCOPES];
}

/** The claims of every token we sign; `sid`/`did` name the row checked on each request. */
export interface TokenClaims {
  sub: string;
  typ: 'session' | 'device';
  sid?: string;
  did?: string;
  /** A device token's scopes, for clients to read; the server uses the device row's. */
  scp?: Scope[];
  jti?: string;
  iat?: number;
  exp?: number;
}

/**
 * Creates a login session row, signs a JWT naming it, and sets it as the httpOnly,
 * SameSite=Strict session cookie too (the dashboard uses the cookie, the CLI the bearer token).
 */
export async function startSession(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
): Promise<LoginResult> {
  const now = app.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const session = await createAuthSession(app.db, {
    userId: user.id,
    expiresAt,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
    ip: request.ip,
  });
  // `exp` is set from the app's clock rather than via `expiresIn`, whose unit differs between
  // @fastify/jwt and fast-jwt.
  const claims: TokenClaims = {
    sub: user.id,
    typ: 'session',
    sid: session.id,
    exp: Math.floor(expiresAt.getTime() / 1000),
  };
  const token = app.jwt.sign(claims, { jti: session.id, clockTimestamp: now.getTime() });
  reply.setCookie(SESSION_COOKIE, token, { ...credentialCookie(request), expires: expiresAt });
  return { token, tokenType: 'Bearer', expiresAt: expiresAt.toISOString(), user: toUserSummary(user) };
}

/** Sets a web device's token as the httpOnly, SameSite=Strict device cookie (Secure over HTTPS). */
export function setDeviceCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, { ...credentialCookie(request), maxAge: DEVICE_COOKIE_MAX_AGE_S });
}

/** How a cookie holding a token is set: out of scripts' reach, same-site only, Secure over HTTPS. */
function credentialCookie(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/' } as const;
}

/** Clears the session cookie and a web device's cookie: signing out ends whichever there is. */
export function clearAuthCookies(reply: FastifyReply): void {
  for (const name of [SESSION_COOKIE, DEVICE_COOKIE]) {
    reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'strict' });
  }
}
