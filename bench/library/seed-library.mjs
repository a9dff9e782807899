// Seeding for bench/library/queries.mjs: a household's library as set-based SQL, and the items of
// a media/check request against it. `sql(text, parameters)` runs one statement and returns its rows.
import { createHash } from 'node:crypto';

/**
 * A library that looks like a household's: ten years of photos (denser in recent years, bursts
 * with identical timestamps), local offsets, ~12 % videos, ~5 % favorites, ~1 % in the trash, four
 * devices (one with 0.1 % of the items), trip albums, one big album and a small one, an ignore
 * list. Pseudo-random but deterministic: every choice is `hashint8` of the row number.
 */
export async function seedLibrary(sql, userId, rows) {
  const devices = await sql(
    `insert into devices (user_id, name, platform, scopes, token_id)
     select $1::uuid, name, 'ios', array['media.upload', 'media.read', 'media.write'], gen_random_uuid()
     from unnest(array['iPhone 15 Pro', 'iPhone 12', 'iPad Air', 'iPhone 6s']) with ordinality d(name, n)
     order by n
     returning id, name`,
    [userId],
  );
  const byName = Object.fromEntries(devices.map((device) => [device.name, device.id]));
  const [a, b, c, d] = ['iPhone 15 Pro', 'iPhone 12', 'iPad Air', 'iPhone 6s'].map((name) => byName[name]);
  // Bulk load: the secondary indexes of media (not those backing constraints) are dropped and
  // rebuilt from their own definitions afterwards, which is several times faster than
  // maintaining them row by row.
  const secondary = await sql(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i
     where i.indrelid = 'media'::regclass
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
  );
  for (const index of secondary) await sql(`drop index ${index.name}`);
  await sql(
    `insert into media (user_id, device_id, original_name, display_name, rel_path, sha256, size,
       media_type, mime, taken_at, taken_at_offset_minutes, uploaded_at, width, height, duration_ms,
       camera_make, camera_model, local_id, favorite, trashed_at, thumbnail_status)
     select $1::uuid, dev.id, f.name, case when h.h4 < 10 then 'Holiday ' || s.g end,
       'bench/' || s.g || '/' || f.name,
       encode(sha256(convert_to('iclood bench media ' || s.g, 'UTF8')), 'hex'),
       case when f.video then 5000000 + h.h5 % 400000000 else 800000 + h.h5 % 5000000 end,
       case when f.video then 'video' else 'photo' end, f.mime,
       t.taken_at,
       (array[120, 60, 120, 120, -300, -420, 540, 0, 60, null])[1 + h.h6 % 10]::smallint,
       date_trunc('milliseconds', case
         when s.g <= $2::int * 0.4 then timestamptz '2024-01-15 10:00:00+00' + s.g * interval '37 ms'
         else t.taken_at + (h.h5 % 259200) * interval '1 second' end),
       case when f.video then 1920 when f.png then 1179 when h.h6 % 2 = 0 then 4032 else 3024 end,
       case when f.video then 1080 when f.png then 2556 when h.h6 % 2 = 0 then 3024 else 4032 end,
       case when f.video then 1000 + h.h5 % 180000 end,
       'Apple', dev.model,
       upper(md5('local ' || s.g)) || '/L0/001',
       h.h2 < 50,
       case when h.h2 >= 990 then date_trunc('milliseconds', now() - (h.h5 % 864000) * interval '1 second') end,
       'ready'
     from generate_series(1, $2::int) s(g)
     cross join lateral (
       select abs(hashint8(s.g::bigint * 1000 + 1)::bigint) % 1000 as h1,
         abs(hashint8(s.g::bigint * 1000 + 2)::bigint) % 1000 as h2,
         abs(hashint8(s.g::bigint * 1000 + 3)::bigint) % 1000 as h3,
         abs(hashint8(s.g::bigint * 1000 + 4)::bigint) % 1000 as h4,
         abs(hashint8(s.g::bigint * 1000 + 5)::bigint) as h5,
         abs(hashint8(s.g::bigint * 1000 + 6)::bigint) as h6,
         -- every 25th item is a burst shot: the same instant as the one before it
         s.g - (s.g % 25 = 0)::int as burst
     ) h
     cross join lateral (
       select h.h1 < 120 as video, h.h1 >= 970 as png,
         'IMG_' || lpad((s.g % 9999 + 1)::text, 4, '0') ||
           case when h.h1 < 120 then '.MOV' when h.h1 < 820 then '.HEIC' when h.h1 < 970 then '.JPG' else '.PNG' end as name,
         case when h.h1 < 120 then 'video/quicktime' when h.h1 < 820 then 'image/heic'
           when h.h1 < 970 then 'image/jpeg' else 'image/png' end as mime
     ) f
     cross join lateral (
       select date_trunc('milliseconds', timestamptz '2015-07-01 00:00:00+00' + make_interval(secs =>
         power((h.burst - 1)::float8 / $2::int, 0.7) * 315360000
         + abs(hashint8(h.burst::bigint * 1000 + 7)::bigint) % 600)) as taken_at
     ) t
     cross join lateral (
       select case when h.h3 < 700 then $3::uuid when h.h3 < 950 then $4::uuid when h.h3 < 999 then $5::uuid
         else $6::uuid end as id,
         case when h.h3 < 700 then 'iPhone 15 Pro' when h.h3 < 950 then 'iPhone 12' when h.h3 < 999 then 'iPad Air'
         else 'iPhone 6s' end as model
     ) dev`,
    [userId, rows, a, b, c, d],
  );
  for (const index of secondary) await sql(index.definition);
  // Trip albums: five days each, one every ~quarter; "Family": ~6 % of everything; "Wedding": one day.
  await sql(
    `insert into albums (user_id, name, created_at, updated_at)
     select $1::uuid, 'Trip ' || k, at, at
     from generate_series(1, 40) k, lateral (select timestamptz '2015-08-01 00:00:00+00' + k * interval '89 days' as at) t
     union all select $1::uuid, 'Family', timestamptz '2016-01-01 00:00:00+00', now()
     union all select $1::uuid, 'Wedding', timestamptz '2021-06-12 00:00:00+00', now()`,
    [userId],
  );
  await sql(
    `insert into album_media (album_id, media_id, added_at)
     select a.id, m.id, m.uploaded_at from albums a
     join media m on m.user_id = a.user_id and m.taken_at >= a.created_at and m.taken_at < a.created_at + interval '5 days'
     where a.user_id = $1::uuid and a.name like 'Trip %'
     union all
     select a.id, m.id, m.uploaded_at from albums a
     join media m on m.user_id = a.user_id and m.sha256 like '0%'
     where a.user_id = $1::uuid and a.name = 'Family'
     union all
     select a.id, m.id, m.uploaded_at from albums a
     join media m on m.user_id = a.user_id and m.taken_at >= a.created_at and m.taken_at < a.created_at + interval '1 day'
     where a.user_id = $1::uuid and a.name = 'Wedding'`,
    [userId],
  );
  await sql(
    `insert into ignored_files (user_id, name, sha256, local_id)
     select $1::uuid, 'IGNORED_' || g || '.PNG',
       case when g % 3 = 0 then encode(sha256(convert_to('ignored ' || g, 'UTF8')), 'hex') end,
       case when g % 3 = 1 then 'IGNORED-' || g end
     from generate_series(1, 2000) g`,
    [userId],
  );
  // A library at rest: statistics current and the visibility map set, so autovacuum does not
  // start in the middle of the measurements.
  for (const table of ['media', 'albums', 'album_media', 'ignored_files', 'devices']) {
    await sql(`vacuum (analyze) ${table}`);
  }
  const albums = await sql(
    `select a.id, a.name, count(am.media_id)::int as items from albums a
     left join album_media am on am.album_id = a.id where a.user_id = $1::uuid group by a.id, a.name`,
    [userId],
  );
  const [{ media, trashed, favorites, videos }] = await sql(
    `select count(*)::int as media, count(trashed_at)::int as trashed,
       count(*) filter (where favorite)::int as favorites, count(*) filter (where media_type = 'video')::int as videos
     from media where user_id = $1::uuid`,
    [userId],
  );
  return {
    devices: { frequent: c, rare: d },
    albums: Object.fromEntries(albums.map((album) => [album.name, album])),
    counts: {
      media,
      trashed,
      favorites,
      videos,
      albumMedia: albums.reduce((sum, album) => sum + album.items, 0),
    },
  };
}

/**
 * 10,000 check items as the app and Shortcuts send them: sha256s of stored items and unknown
 * ones, local ids (half known), name + size + createdAt (half known), and local id + name + size
 * where the local id is unknown but the name and size match. Returns the items and how many
 * must come back as duplicates.
 */
export async function checkItems(sql, userId, total) {
  const per = Math.floor(total / 10);
  // Rows in sha256 order are in no particular order otherwise: a fair sample of the library.
  const sample = await sql(
    `select sha256, local_id, original_name, size, taken_at from media where user_id = $1::uuid
     order by sha256 limit $2::int`,
    [userId, per * 6],
  );
  const unknownHash = (i) => createHash('sha256').update(`not stored ${i}`).digest('hex');
  const items = [];
  let duplicates = 0;
  const take = (() => {
    let next = 0;
    return () => sample[next++];
  })();
  for (let i = 0; i < total; i++) {
    const key = `item-${i}`;
    const slot = i % 10;
    if (slot < 3) {
      items.push({ key, sha256: take().sha256 });
      duplicates++;
    } else if (slot < 5) {
      items.push({ key, sha256: unknownHash(i) });
    } else if (slot === 5) {
      items.push({ key, localId: take().local_id });
      duplicates++;
    } else if (slot === 6) {
      items.push({ key, localId: `UNKNOWN-${i}/L0/001` });
    } else if (slot === 7) {
      const row = take();
      const createdAt = new Date(new Date(row.taken_at).getTime() + 2 * 3_600_000).toISOString();
      items.push({ key, name: row.original_name, size: Number(row.size), createdAt });
      duplicates++;
    } else if (slot === 8) {
      items.push({ key, name: `UNKNOWN_${i}.HEIC`, size: 1234 + i, createdAt: '2022-02-02T12:00:00.000Z' });
    } else {
      const row = take();
      items.push({
        key,
        localId: `REINSTALLED-${i}/L0/001`,
        name: row.original_name,
        size: Number(row.size),
      });
      duplicates++;
    }
  }
  return { items, duplicates };
}
