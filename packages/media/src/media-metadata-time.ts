// Capture times as cameras write them: EXIF wall clocks ("2024:07:14 18:03:12") with an optional
// separate offset ("+02:00"), and ISO-8601 strings in QuickTime metadata. Kept apart from the
// readers so that the one rule that picks the library folder — the LOCAL calendar date — lives here.

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A date and time on the photographer's clock, zone not implied. */
export interface WallClock extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export interface CaptureTime {
  takenAt: Date;
  offsetMinutes: number | null;
  local: LocalDate;
}

/** A parsed ISO-8601 timestamp: `offset` is null without a zone, 'utc' for a bare `Z`. */
export interface IsoTimestamp {
  wallClock: WallClock;
  offset: number | 'utc' | null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Real zones run from -12:00 to +14:00; anything beyond is a broken tag, not a place.
const MAX_OFFSET_MINUTES = 14 * 60;
const EARLIEST_CAPTURE_MS = Date.UTC(1970, 0, 1);

const EXIF_DATE_TIME = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?$/;

function fractionToMilliseconds(digits: string | undefined): number {
  if (!digits) return 0;
  return Number(digits.slice(0, 3).padEnd(3, '0'));
}

function toWallClock(match: RegExpExecArray, fraction: string | undefined): WallClock | null {
  const [year, month, day, hour = 0, minute = 0, rawSecond = 0] = match
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined) return null;
  // A leap second ("…:60") is the last second of the minute for our purposes.
  const second = Math.min(rawSecond, 59);
  const wallClock = { year, month, day, hour, minute, second, millisecond: fractionToMilliseconds(fraction) };
  // Date.UTC rolls "02-30" over into March; a round trip rejects impossible dates.
  const probe = new Date(wallClockAsUtcMs(wallClock));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() + 1 !== month ||
    probe.getUTCDate() !== day ||
    probe.getUTCHours() !== hour ||
    probe.getUTCMinutes() !== minute
  ) {
    return null;
  }
  return wallClock;
}

function wallClockAsUtcMs(clock: WallClock): number {
  const ms = Date.UTC(
    clock.year,
    clock.month - 1,
    clock.day,
    clock.hour,
    clock.minute,
    clock.second,
    clock.millisecond,
  );
  // Date.UTC maps years 0..99 to 1900..1999; those are broken tags anyway and fail the range check.
  return clock.year < 100 ? Number.NaN : ms;
}

/**
 * An EXIF date ("2024:07:14 18:03:12", also with dashes) with its optional sub-second digits
 * (SubSecTimeOriginal, "123" → 123 ms); null for blanks, zeros ("0000:00:00 00:00:00") and
 * impossible dates.
 */
export function parseExifDateTime(text: unknown, subSeconds?: unknown): WallClock | null {
  if (typeof text !== 'string') return null;
  // Some writers pad with spaces or NULs and append a zone the tag does not allow ("… UTC").
  const match = EXIF_DATE_TIME.exec(
    text
      .replace(/\0/g, '')
      .trim()
      .replace(/\s+UTC$/i, ''),
  );
  if (!match) return null;
  const subSecondDigits = typeof subSeconds === 'string' ? /^\s*(\d+)/.exec(subSeconds)?.[1] : undefined;
  return toWallClock(match, match[7] ?? subSecondDigits);
}

/** An EXIF OffsetTime* value ("+02:00", "-05:30", also "+0200") in minutes east of UTC. */
export function parseUtcOffset(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = OFFSET.exec(text.replace(/\0/g, '').trim());
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  if (Number(match[3] ?? 0) >= 60 || minutes > MAX_OFFSET_MINUTES) return null;
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * An ISO-8601 timestamp as QuickTime writes it ("2024-07-14T18:03:12+0200",
 * "2024-07-14T16:03:12.000000Z", "2024-07-14"); null when it is not one or names no full date.
 */
export function parseIsoTimestamp(text: unknown): IsoTimestamp | null {
  if (typeof text !== 'string') return null;
  const match = ISO_DATE_TIME.exec(text.replace(/\0/g, '').trim());
  if (!match) return null;
  const wallClock = toWallClock(match, match[7]);
  if (!wallClock) return null;
  const zone = match[8];
  if (zone === undefined) return { wallClock, offset: null };
  if (zone.toUpperCase() === 'Z') return { wallClock, offset: 'utc' };
  const offset = parseUtcOffset(zone);
  return offset === null ? null : { wallClock, offset };
}

/**
 * The capture time of a wall clock. With an offset, the instant is the wall clock minus the
 * offset. Without one, the zone is unknown: the wall clock is stored as if it were UTC, so the
 * instant may be off by the unknown offset but the local date — the library folder — is right.
 */
export function captureFromWallClock(wallClock: WallClock, offsetMinutes: number | null): CaptureTime {
  const takenAt = new Date(wallClockAsUtcMs(wallClock) - (offsetMinutes ?? 0) * MINUTE_MS);
  return {
    takenAt,
    offsetMinutes,
    local: { year: wallClock.year, month: wallClock.month, day: wallClock.day },
  };
}

/**
 * The capture time of a known instant. The local date is the instant's date at `offsetMinutes`;
 * without an offset, the UTC date is the best there is.
 */
export function captureFromInstant(instant: Date, offsetMinutes: number | null): CaptureTime {
  const shifted = new Date(instant.getTime() + (offsetMinutes ?? 0) * MINUTE_MS);
  return {
    takenAt: new Date(instant.getTime()),
    offsetMinutes,
    local: { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() },
  };
}

/** The capture time of a parsed ISO timestamp; a bare `Z` gives the instant but no local offset. */
export function captureFromIsoTimestamp(timestamp: IsoTimestamp): CaptureTime {
  if (timestamp.offset === 'utc') {
    return captureFromInstant(new Date(wallClockAsUtcMs(timestamp.wallClock)), null);
  }
  return captureFromWallClock(timestamp.wallClock, timestamp.offset);
}

/**
 * A capture time a camera or phone could have produced: from 1970 on, and no later than a day
 * after `now` (a day covers any zone offset on a wall clock stored as UTC, and clock skew).
 */
export function isPlausibleCaptureTime(takenAt: Date, now: Date): boolean {
  const ms = takenAt.getTime();
  return Number.isFinite(ms) && ms >= EARLIEST_CAPTURE_MS && ms <= now.getTime() + DAY_MS;
}
