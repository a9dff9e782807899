import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  // `q` on media/list is a substring search (`ilike '%…%'`), which no btree can serve: at a million
  // items it walked the whole browse index (bench/library: ~1.2 s for a rare name). Trigrams can.
  // pg_trgm is a trusted extension (PostgreSQL ≥ 13), shipped with Debian's and the Docker image's
  // PostgreSQL, and loaded into the embedded PGlite by openDatabase.
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index media_name_trgm_idx on media
    using gin (original_name gin_trgm_ops, display_name gin_trgm_ops) where trashed_at is null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('media_name_trgm_idx').execute();
}
