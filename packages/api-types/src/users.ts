import { Type, type Static } from 'typebox';
import { NewPassword, UserSummary, Username } from './auth.js';

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
  },
  { additionalProperties: false, description: 'Adds a household member with their own library' },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const UpdateUserRequest = Type.Object(
  {
    displayName: Type.Optional(Type.Union([DisplayName, Type.Null()])),
    password: Type.Optional(NewPassword),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

export const UserResult = Type.Object({ user: UserSummary }, { additionalProperties: false });
export type UserResult = Static<typeof UserResult>;

export const DeleteUserResult = Type.Object(
  { deleted: Type.Boolean(), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type DeleteUserResult = Static<typeof DeleteUserResult>;
