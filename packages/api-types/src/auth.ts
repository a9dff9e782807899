import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';

/** What a token may do (DESIGN §4). */
export const SCOPES = ['media.upload', 'media.read', 'media.write', 'admin'] as const;
export const Scope = Type.Union([
  Type.Literal('media.upload'),
  Type.Literal('media.read'),
  Type.Literal('media.write'),
  Type.Literal('admin'),
]);
export type Scope = (typeof SCOPES)[number];

export const UserRole = Type.Union([Type.Literal('owner'), Type.Literal('member')]);
export type UserRole = Static<typeof UserRole>;

export const Username = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._-]+$',
  description: 'Letters, digits, dot, dash and underscore; case-insensitive for login',
});

export const NewPassword = Type.String({ minLength: 8, maxLength: 1024 });

export const UserSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    displayName: Type.Union([Type.String(), Type.Null()]),
    role: UserRole,
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type UserSummary = Static<typeof UserSummary>;

export const SetupStatus = Type.Object(
  { needed: Type.Boolean({ description: 'True until the owner account exists' }) },
  { additionalProperties: false },
);
export type SetupStatus = Static<typeof SetupStatus>;

export const SetupRequest = Type.Object(
  {
    username: Username,
    password: NewPassword,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type SetupRequest = Static<typeof SetupRequest>;

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResult = Type.Object(
  {
    token: Type.String({ description: 'Bearer token; the same value is set as the httpOnly session cookie' }),
    tokenType: Type.Literal('Bearer'),
    expiresAt: Timestamp,
    user: UserSummary,
  },
  { additionalProperties: false },
);
export type LoginResult = Static<typeof LoginResult>;

export const AuthKind = Type.Union([Type.Literal('session'), Type.Literal('device')]);
export type AuthKind = Static<typeof AuthKind>;

export const Me = Type.Object(
  {
    user: UserSummary,
    scopes: Type.Array(Scope),
    auth: Type.Object(
      {
        kind: AuthKind,
        id: Type.String({ format: 'uuid', description: 'The session or device the token names' }),
        expiresAt: Type.Union([Timestamp, Type.Null()]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Me = Static<typeof Me>;

export const LogoutResult = Type.Object({ revoked: Type.Boolean() }, { additionalProperties: false });
export type LogoutResult = Static<typeof LogoutResult>;
