import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// An owner or admin may open a pairing for another member of the household: the device belongs
// to `user_id`, while only `opened_by`, the person at the dashboard, may see the pairing's status
// and QR code. Every pairing so far was opened by the user it pairs for.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('pairing_sessions')
    .addColumn('opened_by', 'uuid', (col) => col.references('users.id').onDelete('cascade'))
    .execute();
  await sql`update pairing_sessions set opened_by = user_id`.execute(db);
  await db.schema
    .alterTable('pairing_sessions')
    .alterColumn('opened_by', (col) => col.setNotNull())
    .execute();
  // Deleting a user cascades here; without an index that would scan the table.
  await sql`create index pairing_sessions_opened_by_idx on pairing_sessions (opened_by)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pairing_sessions').dropColumn('opened_by').execute();
}
