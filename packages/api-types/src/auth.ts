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

/**
 * `owner`: the one who set the server up; `admin`: manages members and the server with the owner;
 * `member`: their own library only. Only the owner makes or unmakes admins; the owner's role never
 * changes.
 */
export const UserRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export type UserRole = Static<typeof UserRole>;

/** The roles that can be given to someone: there is only ever the one owner. */
export const AssignableRole = Type.Union([Type.Literal('admin'), Type.Literal('member')], {
  description: "'admin' manages members and the server; only the owner may give or take it",
});
export type AssignableRole = Static<typeof AssignableRole>;

export const Username = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._-]+$',
  description:
    'Letters, digits, dot, dash and underscore, starting and ending with a letter or digit, and not a ' +
    'name Windows keeps for devices (CON, NUL, COM1…); case-insensitive for login. It names the ' +
    "user's library folder, so `..`, `.carol` or `carol.` are refused (they would not be a folder of their own).",
});

const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * Why a new username cannot be used, in words for the person typing it, or `undefined` when it
 * can. The rules make the username itself a safe, distinct folder name on every common disk:
 * nothing that a filesystem hides (`.carol`), drops (`carol.`), treats as a path (`..`) or as a
 * device (`con`). Existing users keep whatever name they have.
 *
 * @example
 * usernameProblem('.carol'); // 'must start and end with a letter or digit'
 */
export function usernameProblem(username: string): string | undefined {
  if (username.length < 1 || username.length > 64) return 'must be 1 to 64 characters';
  if (!/^[A-Za-z0-9._-]+$/.test(username)) return 'may hold only letters, digits, ".", "_" and "-"';
  if (!/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(username)) return 'must start and end with a letter or digit';
  if (WINDOWS_DEVICE_NAME.test(username.split('.')[0] ?? '')) {
    return 'is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9)';
  }
  return undefined;
}

export const NewPassword = Type.String({ minLength: 8, maxLength: 1024 });

export const UserSummary = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    libraryFolder: Type.String({
      description:
        "The user's folder at the top of the library, where their originals are written: usually the " +
        'username, `<username>-2`… when that folder was already taken. Never changes.',
    }),
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

export const ChangePasswordRequest = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: NewPassword,
  },
  { additionalProperties: false, description: "Changes the signed-in user's own password" },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;

export const ChangePasswordResult = Type.Object(
  {
    revokedSessions: Type.Integer({
      minimum: 0,
      description: "The user's other dashboard and CLI sign-ins that were ended; paired devices keep working",
    }),
  },
  { additionalProperties: false },
);
export type ChangePasswordResult = Static<typeof ChangePasswordResult>;

export const RevokeOtherSessionsResult = Type.Object(
  {
    revoked: Type.Integer({
      minimum: 0,
      description: "The caller's other dashboard and CLI sign-ins that were ended (not paired devices)",
    }),
  },
  { additionalProperties: false },
);
export type RevokeOtherSessionsResult = Static<typeof RevokeOtherSessionsResult>;
