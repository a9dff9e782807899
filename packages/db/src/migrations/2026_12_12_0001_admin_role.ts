import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// A third role: an admin manages the household's members and the server like the owner, but only
// the owner makes or unmakes admins, and nobody changes the owner's role or removes the owner
// (the server enforces those; the schema still allows exactly one owner, `users_one_owner`).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropConstraint('users_role_check').execute();
  await db.schema
    .alterTable('users')
    .addCheckConstraint('users_role_check', sql`role in ('owner', 'admin', 'member')`)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('users').set({ role: 'member' }).where('role', '=', 'admin').execute();
  await db.schema.alterTable('users').dropConstraint('users_role_check').execute();
  await db.schema
    .alterTable('users')
    .addCheckConstraint('users_role_check', sql`role in ('owner', 'member')`)
    .execute();
}
