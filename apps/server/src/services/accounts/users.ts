import { usernameProblem, type UserSummary } from '@iclood/api-types';
import type { User } from '@iclood/db';
import { existingLibraryFolders } from '@iclood/storage';
import { ApiError } from '../../errors.js';

export function toUserSummary(user: User): UserSummary {
  return {
    id: user.id,
    username: user.username,
    libraryFolder: user.library_folder,
    displayName: user.display_name,
    role: user.role,
    createdAt: user.created_at.toISOString(),
  };
}

/** Refuses a new username that could not name a library folder of its own, naming the field. */
export function assertNewUsername(username: string, field = 'body/username'): void {
  const problem = usernameProblem(username);
  if (problem !== undefined) {
    throw new ApiError('INVALID_USERNAME', `The username ${problem}`, [{ field, message: problem }]);
  }
}

/**
 * Runs `create` with the new user's library folder: the username itself, or `<username>-2`,
 * `-3`… when that name, in any letter case, is already at the top of the library (a removed
 * user's files stay there) or is another user's folder (`LIBRARY_FOLDER_TAKEN`: a user from
 * before usernames were checked). So no two accounts ever write into one folder.
 */
export async function withNewLibraryFolder<T>(
  libraryDir: string,
  username: string,
  create: (libraryFolder: string) => Promise<T>,
): Promise<T> {
  const onDisk = await existingLibraryFolders(libraryDir);
  for (let n = 1; ; n++) {
    const folder = n === 1 ? username : `${username}-${n}`;
    if (onDisk.has(folder.toLowerCase())) continue;
    try {
      return await create(folder);
    } catch (error) {
      if ((error as { code?: string }).code !== 'LIBRARY_FOLDER_TAKEN' || n >= 100) throw error;
    }
  }
}
