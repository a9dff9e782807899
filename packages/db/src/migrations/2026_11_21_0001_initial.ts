import { sql, type Kysely, type RawBuilder } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.
// Enums are CHECK constraints, not PostgreSQL enum types: adding a value is then a plain
// constraint swap inside a transaction.

function oneOf(column: string, values: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;
}

const SHA256_HEX = sql.lit('^[0-9a-f]{64}$');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('username', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_username_length_check', sql`char_length(username) between 1 and 64`)
    .addCheckConstraint('users_username_format_check', sql`username ~ ${sql.lit('^[A-Za-z0-9._-]+$')}`)
    .addCheckConstraint('users_role_check', oneOf('role', ['owner', 'member']))
    .execute();
  await sql`create unique index users_username_lower_key on users (lower(username))`.execute(db);
  await sql`create unique index users_one_owner on users ((role)) where role = 'owner'`.execute(db);

  await db.schema
    .createTable('auth_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('auth_sessions_user_id_idx').on('auth_sessions').column('user_id').execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('scopes', sql`text[]`, (col) => col.notNull())
    .addColumn('token_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('backup_frequency', 'text', (col) => col.notNull().defaultTo('weekly'))
    .addColumn('backup_selection', 'text', (col) => col.notNull().defaultTo('new'))
    .addColumn('delete_after_backup', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('last_backup_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint(
      'devices_platform_check',
      oneOf('platform', ['ios', 'shortcuts', 'cli', 'web', 'other']),
    )
    .addCheckConstraint(
      'devices_scopes_check',
      sql`scopes <@ array['media.upload', 'media.read', 'media.write', 'admin']::text[] and cardinality(scopes) > 0`,
    )
    .addCheckConstraint(
      'devices_backup_frequency_check',
      oneOf('backup_frequency', ['weekly', 'daily', 'manual']),
    )
    .addCheckConstraint('devices_backup_selection_check', oneOf('backup_selection', ['all', 'new']))
    .execute();
  await db.schema.createIndex('devices_user_id_idx').on('devices').column('user_id').execute();

  await db.schema
    .createTable('pairing_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (col) => col.notNull().unique())
    .addColumn('secret_hash', 'text', (col) => col.notNull().unique())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('device_id', 'uuid', (col) => col.references('devices.id').onDelete('set null'))
    .addCheckConstraint(
      'pairing_sessions_status_check',
      oneOf('status', ['pending', 'claimed', 'expired', 'burned']),
    )
    .addCheckConstraint('pairing_sessions_attempts_check', sql`attempts >= 0`)
    .execute();
  await sql`create index pairing_sessions_user_created_idx on pairing_sessions (user_id, created_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('backup_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'uuid', (col) => col.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('running'))
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('expected_files', 'integer')
    .addColumn('expected_bytes', 'bigint')
    .addColumn('files', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('duplicates', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addCheckConstraint(
      'backup_sessions_status_check',
      oneOf('status', ['running', 'completed', 'failed', 'cancelled']),
    )
    .addCheckConstraint(
      'backup_sessions_counters_check',
      sql`files >= 0 and bytes >= 0 and duplicates >= 0 and failures >= 0
        and (expected_files is null or expected_files >= 0)
        and (expected_bytes is null or expected_bytes >= 0)`,
    )
    .execute();
  await sql`create index backup_sessions_device_started_idx on backup_sessions (device_id, started_at desc)`.execute(
    db,
  );
  await sql`create index backup_sessions_user_started_idx on backup_sessions (user_id, started_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('media')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'uuid', (col) => col.references('devices.id').onDelete('set null'))
    .addColumn('session_id', 'uuid', (col) => col.references('backup_sessions.id').onDelete('set null'))
    .addColumn('original_name', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('rel_path', 'text', (col) => col.notNull().unique())
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('media_type', 'text', (col) => col.notNull())
    .addColumn('mime', 'text', (col) => col.notNull())
    .addColumn('taken_at', 'timestamptz', (col) => col.notNull())
    .addColumn('taken_at_offset_minutes', 'smallint')
    .addColumn('uploaded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('modified_at', 'timestamptz')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('camera_make', 'text')
    .addColumn('camera_model', 'text')
    .addColumn('orientation', 'smallint')
    .addColumn('metadata', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('local_id', 'text')
    .addColumn('original_path', 'text')
    .addColumn('favorite', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('trashed_at', 'timestamptz')
    .addColumn('thumbnail_status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addUniqueConstraint('media_user_sha256_key', ['user_id', 'sha256'])
    .addCheckConstraint('media_sha256_check', sql`sha256 ~ ${SHA256_HEX}`)
    .addCheckConstraint('media_size_check', sql`size >= 0`)
    .addCheckConstraint('media_media_type_check', oneOf('media_type', ['photo', 'video']))
    .addCheckConstraint(
      'media_taken_at_offset_minutes_check',
      sql`taken_at_offset_minutes between -1080 and 1080`,
    )
    .addCheckConstraint('media_latitude_check', sql`latitude between -90 and 90`)
    .addCheckConstraint('media_longitude_check', sql`longitude between -180 and 180`)
    .addCheckConstraint(
      'media_thumbnail_status_check',
      oneOf('thumbnail_status', ['pending', 'ready', 'failed', 'unsupported']),
    )
    .execute();
  await sql`create index media_browse_idx on media (user_id, taken_at desc, id desc) where trashed_at is null`.execute(
    db,
  );
  await sql`create index media_uploaded_idx on media (user_id, uploaded_at desc, id desc) where trashed_at is null`.execute(
    db,
  );
  await sql`create index media_trash_idx on media (user_id, trashed_at) where trashed_at is not null`.execute(
    db,
  );
  await sql`create index media_local_id_idx on media (user_id, local_id) where local_id is not null`.execute(
    db,
  );
  await sql`create index media_name_size_idx on media (user_id, original_name, size)`.execute(db);
  await db.schema.createIndex('media_device_id_idx').on('media').column('device_id').execute();

  await db.schema
    .createTable('ignored_files')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'uuid', (col) => col.references('devices.id').onDelete('set null'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('original_path', 'text')
    .addColumn('sha256', 'text')
    .addColumn('local_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('ignored_files_sha256_check', sql`sha256 ~ ${SHA256_HEX}`)
    .execute();
  await sql`create index ignored_files_sha256_idx on ignored_files (user_id, sha256) where sha256 is not null`.execute(
    db,
  );
  await sql`create index ignored_files_local_id_idx on ignored_files (user_id, local_id) where local_id is not null`.execute(
    db,
  );
  await db.schema
    .createIndex('ignored_files_name_idx')
    .on('ignored_files')
    .columns(['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('albums')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('cover_media_id', 'uuid', (col) => col.references('media.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('albums_user_name_key', ['user_id', 'name'])
    .addCheckConstraint('albums_name_check', sql`char_length(name) between 1 and 200`)
    .execute();

  await db.schema
    .createTable('album_media')
    .addColumn('album_id', 'uuid', (col) => col.notNull().references('albums.id').onDelete('cascade'))
    .addColumn('media_id', 'uuid', (col) => col.notNull().references('media.id').onDelete('cascade'))
    .addColumn('added_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('album_media_pkey', ['album_id', 'media_id'])
    .execute();
  await db.schema.createIndex('album_media_media_id_idx').on('album_media').column('media_id').execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('payload', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('media_id', 'uuid', (col) => col.references('media.id').onDelete('cascade'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (col) => col.notNull().defaultTo(3))
    .addColumn('run_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('locked_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('jobs_kind_check', sql`kind ~ ${sql.lit('^[a-z][a-z0-9_.]*$')}`)
    .addCheckConstraint('jobs_status_check', oneOf('status', ['pending', 'running', 'completed', 'failed']))
    .addCheckConstraint('jobs_attempts_check', sql`attempts >= 0 and max_attempts > 0`)
    .execute();
  await sql`create index jobs_pending_run_at_idx on jobs (run_at) where status = 'pending'`.execute(db);
  await db.schema.createIndex('jobs_media_id_idx').on('jobs').column('media_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  // Reverse creation order, so every table is dropped before the tables it references.
  for (const table of [
    'jobs',
    'album_media',
    'albums',
    'ignored_files',
    'media',
    'backup_sessions',
    'pairing_sessions',
    'devices',
    'auth_sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
