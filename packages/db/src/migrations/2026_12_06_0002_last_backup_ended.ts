import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as of its date. Never edit it after release; add a new
// migration instead. It imports nothing from the app, so later type changes cannot alter it.

// `devices.last_backup_at` held when the last completed backup STARTED; from here on it is when
// that backup ENDED, which is what a person reading "last backup" expects. Existing devices are
// brought in line from their sessions.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update devices d set last_backup_at = s.ended_at
    from (
      select device_id, max(ended_at) as ended_at from backup_sessions
      where status = 'completed' and ended_at is not null
      group by device_id
    ) s
    where s.device_id = d.id`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed against no schema
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    update devices d set last_backup_at = s.started_at
    from (
      select distinct on (device_id) device_id, started_at from backup_sessions
      where status = 'completed'
      order by device_id, ended_at desc, id desc
    ) s
    where s.device_id = d.id`.execute(db);
}
