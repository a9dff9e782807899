import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// The household's backup history (`GET /api/v1/backup/sessions?user=all`, for an owner or admin)
// pages every session newest first, by (started_at, id), with no user or device to narrow it: this
// index serves that order and its keyset cursor, instead of sorting the whole table per page.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index backup_sessions_started_idx on backup_sessions (started_at desc, id desc)`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('backup_sessions_started_idx').execute();
}
