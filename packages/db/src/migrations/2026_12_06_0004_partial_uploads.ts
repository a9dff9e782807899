import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// Resumable uploads (tus 1.0): one row per upload begun and not finished. Its bytes are in
// `<library>/.tmp/resumable/<id>`; `received_bytes` is the offset acknowledged as durable (the
// file is fsynced before the row moves). The row belongs to the user and the device that created
// it; a device removed takes its partial uploads with it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partial_uploads')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'uuid', (col) => col.references('devices.id').onDelete('cascade'))
    .addColumn('upload_length', 'bigint', (col) => col.notNull())
    .addColumn('received_bytes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('fields', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addCheckConstraint('partial_uploads_length_check', sql`upload_length > 0`)
    .addCheckConstraint(
      'partial_uploads_received_check',
      sql`received_bytes >= 0 and received_bytes <= upload_length`,
    )
    .execute();
  await sql`create index partial_uploads_user_idx on partial_uploads (user_id)`.execute(db);
  await sql`create index partial_uploads_expires_idx on partial_uploads (expires_at)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partial_uploads').execute();
}
