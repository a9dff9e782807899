import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  // One job of a kind per media item (its thumbnails, say): enqueueing twice is a no-op, and
  // regenerating resets the row rather than adding another.
  await sql`create unique index jobs_kind_media_key on jobs (kind, media_id) where media_id is not null`.execute(
    db,
  );
  // The queue summary in system/status counts by status.
  await db.schema.createIndex('jobs_status_idx').on('jobs').column('status').execute();

  // The trash is paged newest-deleted first by (trashed_at, id), and purged oldest first.
  await db.schema.dropIndex('media_trash_idx').execute();
  await sql`create index media_trash_idx on media (user_id, trashed_at desc, id desc) where trashed_at is not null`.execute(
    db,
  );
  await sql`create index media_trashed_at_idx on media (trashed_at) where trashed_at is not null`.execute(db);

  // Album views list their items by date taken.
  await sql`create index album_media_album_added_idx on album_media (album_id, added_at desc, media_id)`.execute(
    db,
  );
  // Albums are matched by name case-insensitively (the upload field `albums`, renames).
  await db.schema.alterTable('albums').dropConstraint('albums_user_name_key').execute();
  await sql`create unique index albums_user_name_key on albums (user_id, lower(name))`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('albums_user_name_key').execute();
  await db.schema
    .alterTable('albums')
    .addUniqueConstraint('albums_user_name_key', ['user_id', 'name'])
    .execute();
  await db.schema.dropIndex('album_media_album_added_idx').execute();
  await db.schema.dropIndex('media_trashed_at_idx').execute();
  await db.schema.dropIndex('media_trash_idx').execute();
  await sql`create index media_trash_idx on media (user_id, trashed_at) where trashed_at is not null`.execute(
    db,
  );
  await db.schema.dropIndex('jobs_status_idx').execute();
  await db.schema.dropIndex('jobs_kind_media_key').execute();
}
