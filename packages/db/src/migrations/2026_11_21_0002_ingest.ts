import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  // At most one running backup session per device. Nothing wrote sessions before this migration,
  // but if a database somehow holds several running ones, keep the newest so the index can be built.
  await sql`
    update backup_sessions set status = 'cancelled', ended_at = now(), error = 'superseded by a new session'
    where status = 'running'
      and id not in (
        select distinct on (device_id) id from backup_sessions
        where status = 'running'
        order by device_id, started_at desc, id desc
      )`.execute(db);
  await sql`create unique index backup_sessions_one_running_per_device on backup_sessions (device_id) where status = 'running'`.execute(
    db,
  );

  // The ignore list is paged newest first by (created_at, id).
  await sql`create index ignored_files_user_created_idx on ignored_files (user_id, created_at desc, id desc)`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ignored_files_user_created_idx').execute();
  await db.schema.dropIndex('backup_sessions_one_running_per_device').execute();
}
