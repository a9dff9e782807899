import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// Until now a user's library folder was their username sanitised on every upload, so `carol`,
// `.carol` and `carol.` all wrote into `carol/`, `.tmp` wrote into `tmp/`, and `..` had no folder
// at all (every upload failed). From here on the folder is chosen once, stored with the user, and
// unique regardless of letter case (a case-insensitive disk would merge `Carol/` and `carol/`).

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** What the sanitiser of the time made of a username (`[A-Za-z0-9._-]{1,64}`), if anything. */
function folderUsedSoFar(username: string): string | undefined {
  const trimmed = username.replace(/^\.+|\.+$/g, '');
  if (trimmed === '') return undefined;
  return WINDOWS_DEVICE.test(trimmed.split('.')[0] ?? '') ? `_${trimmed}` : trimmed;
}

interface UserRow {
  id: string;
  username: string;
}

/**
 * Each existing user keeps the folder their uploads went to, so it goes on filling. When several
 * users shared one, the one whose username is that folder keeps it (else the oldest); the others
 * get `<folder>-2`, `-3`… for new uploads, while their rows keep pointing at the files already
 * written. A user with no folder before (`..`) gets `user`, `user-2`…
 */
function assignFolders(users: readonly UserRow[]): Map<string, string> {
  const assigned = new Map<string, string>();
  const taken = new Set<string>();
  const claim = (user: UserRow, folder: string) => {
    assigned.set(user.id, folder);
    taken.add(folder.toLowerCase());
  };
  for (const user of users) {
    if (folderUsedSoFar(user.username) === user.username) claim(user, user.username);
  }
  for (const user of users) {
    if (assigned.has(user.id)) continue;
    const base = folderUsedSoFar(user.username) ?? 'user';
    let folder = base;
    for (let n = 2; taken.has(folder.toLowerCase()); n++) folder = `${base}-${n}`;
    claim(user, folder);
  }
  return assigned;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('library_folder', 'text').execute();
  const users: UserRow[] = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const [id, folder] of assignFolders(users)) {
    await db.updateTable('users').set({ library_folder: folder }).where('id', '=', id).execute();
  }
  await db.schema
    .alterTable('users')
    .alterColumn('library_folder', (col) => col.setNotNull())
    .execute();
  // One path segment that every common filesystem keeps as is: no leading dot (hidden, `.`, `..`,
  // the library's own `.tmp`), no trailing dot or space (Windows drops them), no Windows device name.
  await db.schema
    .alterTable('users')
    .addCheckConstraint(
      'users_library_folder_check',
      sql`char_length(library_folder) <= 80
        and library_folder ~ ${sql.lit('^[A-Za-z0-9_-]([A-Za-z0-9._-]*[A-Za-z0-9_-])?$')}
        and lower(split_part(library_folder, '.', 1)) !~ ${sql.lit('^(con|prn|aux|nul|com[0-9]|lpt[0-9])$')}`,
    )
    .execute();
  await sql`create unique index users_library_folder_lower_key on users (lower(library_folder))`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('library_folder').execute();
}
