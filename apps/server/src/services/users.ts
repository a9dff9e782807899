import type { UserSummary } from '@iclood/api-types';
import type { User } from '@iclood/db';

export function toUserSummary(user: User): UserSummary {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role,
    createdAt: user.created_at.toISOString(),
  };
}
