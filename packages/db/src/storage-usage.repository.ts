import { sql, type Kysely } from 'kysely';

import type { Database, MediaType } from './schema.js';
import { isUuid } from './uuid.js';

/** A count of items and the bytes of their originals. */
export interface ItemBytes {
  items: number;
  bytes: number;
}

export interface UserUsage extends ItemBytes {
  userId: string;
  username: string;
}

export interface DeviceUsage extends ItemBytes {
  /** `null` for items that came with no device (imports, the dashboard). */
  deviceId: string | null;
  deviceName: string | null;
  userId: string;
}

/** What the originals take, from the media rows. Everything but `trash` leaves the trash out. */
export interface LibraryUsage {
  library: ItemBytes;
  trash: ItemBytes;
  byType: Array<ItemBytes & { type: MediaType }>;
  /** Every user in scope, those with nothing too, largest first. */
  byUser: UserUsage[];
  /** Largest first. */
  byDevice: DeviceUsage[];
}

interface UsageRow {
  trashed: boolean;
  by_type: number;
  by_user: number;
  by_device: number;
  media_type: MediaType | null;
  user_id: string | null;
  device_id: string | null;
  device_name: string | null;
  items: number;
  bytes: number;
}

const byBytes = (a: ItemBytes, b: ItemBytes) => b.bytes - a.bytes || b.items - a.items;

/**
 * The library's size in one scan of `media`, grouped four ways at once (GROUPING SETS): in the
 * trash or not; by type, by user and by device outside the trash. `userId` narrows it to one
 * user's library; unset, the whole household.
 *
 * @example
 * const usage = await libraryUsage(db, {}); // usage.byUser → [{ username: 'alice', items: 812, bytes: … }, …]
 */
export async function libraryUsage(db: Kysely<Database>, scope: { userId?: string }): Promise<LibraryUsage> {
  const usage: LibraryUsage = {
    library: { items: 0, bytes: 0 },
    trash: { items: 0, bytes: 0 },
    byType: [],
    byUser: [],
    byDevice: [],
  };
  if (scope.userId !== undefined && !isUuid(scope.userId)) return usage;
  const onlyUser = scope.userId === undefined ? sql`` : sql`where media.user_id = ${scope.userId}`;
  const { rows } = await sql<UsageRow>`
    select grouped.*, devices.name as device_name
    from (
      select media.trashed_at is not null as trashed,
        grouping(media.media_type)::int as by_type, grouping(media.user_id)::int as by_user,
        grouping(media.device_id)::int as by_device,
        media.media_type, media.user_id, media.device_id,
        count(*)::int as items, sum(media.size)::bigint as bytes
      from media
      ${onlyUser}
      group by grouping sets (
        (media.trashed_at is not null),
        (media.trashed_at is not null, media.media_type),
        (media.trashed_at is not null, media.user_id),
        (media.trashed_at is not null, media.user_id, media.device_id)
      )
    ) grouped
    left join devices on devices.id = grouped.device_id`.execute(db);

  const users = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .$if(scope.userId !== undefined, (query) => query.where('id', '=', scope.userId!))
    .orderBy('username')
    .execute();
  const userTotals = new Map<string, ItemBytes>();

  for (const row of rows) {
    const figures = { items: row.items, bytes: row.bytes };
    // grouping() is 1 for a column the row is not grouped by.
    const groupedBy = [row.by_type === 0, row.by_user === 0, row.by_device === 0];
    if (groupedBy.every((grouped) => !grouped)) {
      usage[row.trashed ? 'trash' : 'library'] = figures;
    } else if (row.trashed) {
      continue;
    } else if (groupedBy[0]) {
      usage.byType.push({ type: row.media_type!, ...figures });
    } else if (groupedBy[2]) {
      usage.byDevice.push({
        deviceId: row.device_id,
        deviceName: row.device_name,
        userId: row.user_id!,
        ...figures,
      });
    } else {
      userTotals.set(row.user_id!, figures);
    }
  }
  usage.byUser = users.map((user) => ({
    userId: user.id,
    username: user.username,
    ...(userTotals.get(user.id) ?? { items: 0, bytes: 0 }),
  }));
  usage.byType.sort(byBytes);
  usage.byUser.sort(byBytes);
  usage.byDevice.sort(byBytes);
  return usage;
}

/**
 * The bytes of every original the library holds, trash included (what the media rows say is on
 * disk), for the status summary: one aggregate, the household's or one user's.
 */
export async function libraryBytes(db: Kysely<Database>, scope: { userId?: string }): Promise<ItemBytes> {
  if (scope.userId !== undefined && !isUuid(scope.userId)) return { items: 0, bytes: 0 };
  const row = await db
    .selectFrom('media')
    .select((eb) => [
      eb.fn.countAll<number>().as('items'),
      sql<number>`coalesce(sum(${eb.ref('size')}), 0)::bigint`.as('bytes'),
    ])
    .$if(scope.userId !== undefined, (query) => query.where('user_id', '=', scope.userId!))
    .executeTakeFirstOrThrow();
  return { items: Number(row.items), bytes: Number(row.bytes) };
}

/**
 * Which of `ids` still have a media row (in the trash or not), in one query on the primary key;
 * for the orphan-thumbnail sweep, per batch of ids. Malformed ids are simply absent.
 */
export async function existingMediaIds(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Set();
  const rows = await db
    .selectFrom('media')
    .select('id')
    .where((eb) => eb('id', '=', eb.fn.any(eb.val(valid))))
    .execute();
  return new Set(rows.map((row) => row.id));
}
