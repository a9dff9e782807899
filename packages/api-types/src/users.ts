import { Type, type Static } from 'typebox';
import { AssignableRole, NewPassword, UserSummary, Username } from './auth.js';

export const UserList = Type.Object({ users: Type.Array(UserSummary) }, { additionalProperties: false });
export type UserList = Static<typeof UserList>;

export const UserParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type UserParams = Static<typeof UserParams>;

export const DisplayName = Type.String({ minLength: 1, maxLength: 100 });

export const CreateUserRequest = Type.Object(
  {
    username: Username,
    password: NewPassword,
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(AssignableRole),
  },
  {
    additionalProperties: false,
    description:
      "Adds a household member with their own library; `role` is 'member' unless the owner says 'admin'",
  },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const UpdateUserRequest = Type.Object(
  {
    displayName: Type.Optional(Type.Union([DisplayName, Type.Null()])),
    password: Type.Optional(NewPassword),
    role: Type.Optional(AssignableRole),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

export const UserResult = Type.Object({ user: UserSummary }, { additionalProperties: false });
export type UserResult = Static<typeof UserResult>;

export const DeleteUserResult = Type.Object(
  {
    deleted: Type.Boolean(),
    id: Type.String({ format: 'uuid' }),
    libraryFolder: Type.String({
      description: 'Their folder at the top of the library: their original files stay there, untouched',
    }),
    removedDevices: Type.Integer({
      minimum: 0,
      description: 'Paired phones, CLI logins and Shortcut tokens that still worked: they stop at once',
    }),
    endedSessions: Type.Integer({ minimum: 0, description: 'Dashboard and CLI sign-ins that were ended' }),
    removedItems: Type.Integer({
      minimum: 0,
      description:
        'Their photos and videos removed from the catalog (trash included): no longer in any view, ' +
        'album or ZIP; the files stay on the library disk',
    }),
    removedBytes: Type.Integer({ minimum: 0, description: 'The size of those originals, still on the disk' }),
    removedTrashItems: Type.Integer({
      minimum: 0,
      description: 'How many of `removedItems` were in the trash',
    }),
    removedAlbums: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type DeleteUserResult = Static<typeof DeleteUserResult>;
