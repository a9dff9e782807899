// The binary records of a ZIP archive (PKWARE APPNOTE 6.3.10), for the streaming writer in
// zip-stream.ts. Every entry is STORED, sized after the fact through a data descriptor (bit 3),
// and named in UTF-8 (bit 11). ZIP64 fields appear only where a value does not fit in 32 bits,
// or everywhere when forced.

/** 0xFFFFFFFF: a 32-bit field whose real value is in the ZIP64 extra field or record. */
export const ZIP32_MAX = 0xffffffff;
/** 0xFFFF: the most entries a plain end-of-central-directory record can count. */
export const ZIP16_MAX = 0xffff;

const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;
const FLAGS = FLAG_DATA_DESCRIPTOR | FLAG_UTF8_NAME;
const METHOD_STORED = 0;
const VERSION_PLAIN = 20;
const VERSION_ZIP64 = 45;
/** Made by UNIX (3), so readers take the external attributes as a file mode. */
const MADE_BY = (3 << 8) | VERSION_ZIP64;
/** A regular file, rw-r--r--, in the high half of the external attributes. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;

const EXTRA_ZIP64 = 0x0001;
const EXTRA_EXTENDED_TIMESTAMP = 0x5455;

/** A calendar reading (the camera's local date and time) as DOS packs it. */
export interface DosDateTime {
  date: number;
  time: number;
}

/**
 * The DOS date and time of `instant` read on a clock `utcOffsetMinutes` away from UTC (the local
 * time a photo was taken), clamped to the 1980–2107 range DOS can hold; seconds are even.
 */
export function dosDateTime(instant: Date, utcOffsetMinutes: number | null): DosDateTime {
  const local = new Date(instant.getTime() + (utcOffsetMinutes ?? 0) * 60_000);
  const year = local.getUTCFullYear();
  if (Number.isNaN(year) || year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((local.getUTCMonth() + 1) << 5) | local.getUTCDate(),
    time: (local.getUTCHours() << 11) | (local.getUTCMinutes() << 5) | (local.getUTCSeconds() >> 1),
  };
}

/** Unix seconds for the extended-timestamp field, or undefined when 32 signed bits cannot hold it. */
export function unixSeconds(instant: Date): number | undefined {
  const seconds = Math.floor(instant.getTime() / 1000);
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= 0x7fffffff ? seconds : undefined;
}

/** What the central directory needs to know of one entry once its bytes are written. */
export interface WrittenEntry {
  name: Buffer;
  when: DosDateTime;
  mtime: number | undefined;
  /** The local header and data descriptor carry 64-bit sizes. */
  zip64Sizes: boolean;
  crc: number;
  size: number;
  offset: number;
}

function extendedTimestamp(mtime: number | undefined): Buffer {
  if (mtime === undefined) return Buffer.alloc(0);
  const field = Buffer.alloc(9);
  field.writeUInt16LE(EXTRA_EXTENDED_TIMESTAMP, 0);
  field.writeUInt16LE(5, 2);
  field.writeUInt8(1, 4); // modification time present
  field.writeUInt32LE(mtime, 5);
  return field;
}

function zip64Extra(values: number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const field = Buffer.alloc(4 + 8 * values.length);
  field.writeUInt16LE(EXTRA_ZIP64, 0);
  field.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, index) => field.writeBigUInt64LE(BigInt(value), 4 + 8 * index));
  return field;
}

/**
 * The local file header. CRC and sizes are zero, to be told by the data descriptor; a ZIP64
 * entry says so up front (sizes 0xFFFFFFFF and a ZIP64 extra field) so that a reader walking the
 * archive front to back knows its descriptor has 8-byte sizes.
 */
export function localFileHeader(entry: Omit<WrittenEntry, 'crc' | 'size' | 'offset'>): Buffer {
  const extra = Buffer.concat([
    entry.zip64Sizes ? zip64Extra([0, 0]) : Buffer.alloc(0),
    extendedTimestamp(entry.mtime),
  ]);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(entry.zip64Sizes ? VERSION_ZIP64 : VERSION_PLAIN, 4);
  header.writeUInt16LE(FLAGS, 6);
  header.writeUInt16LE(METHOD_STORED, 8);
  header.writeUInt16LE(entry.when.time, 10);
  header.writeUInt16LE(entry.when.date, 12);
  header.writeUInt32LE(0, 14);
  header.writeUInt32LE(entry.zip64Sizes ? ZIP32_MAX : 0, 18);
  header.writeUInt32LE(entry.zip64Sizes ? ZIP32_MAX : 0, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, entry.name, extra]);
}

/** The data descriptor after an entry's bytes (with its optional signature, as everyone writes it). */
export function dataDescriptor(entry: Pick<WrittenEntry, 'zip64Sizes' | 'crc' | 'size'>): Buffer {
  if (entry.zip64Sizes) {
    const record = Buffer.alloc(24);
    record.writeUInt32LE(0x08074b50, 0);
    record.writeUInt32LE(entry.crc, 4);
    record.writeBigUInt64LE(BigInt(entry.size), 8);
    record.writeBigUInt64LE(BigInt(entry.size), 16);
    return record;
  }
  const record = Buffer.alloc(16);
  record.writeUInt32LE(0x08074b50, 0);
  record.writeUInt32LE(entry.crc, 4);
  record.writeUInt32LE(entry.size, 8);
  record.writeUInt32LE(entry.size, 12);
  return record;
}

/** One central directory header; ZIP64 extra values appear in APPNOTE order, only those needed. */
export function centralDirectoryHeader(entry: WrittenEntry, forceZip64: boolean): Buffer {
  const offsetIn64 = forceZip64 || entry.offset >= ZIP32_MAX;
  const wide: number[] = [];
  if (entry.zip64Sizes) wide.push(entry.size, entry.size);
  if (offsetIn64) wide.push(entry.offset);
  const extra = Buffer.concat([zip64Extra(wide), extendedTimestamp(entry.mtime)]);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(MADE_BY, 4);
  header.writeUInt16LE(wide.length > 0 ? VERSION_ZIP64 : VERSION_PLAIN, 6);
  header.writeUInt16LE(FLAGS, 8);
  header.writeUInt16LE(METHOD_STORED, 10);
  header.writeUInt16LE(entry.when.time, 12);
  header.writeUInt16LE(entry.when.date, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.zip64Sizes ? ZIP32_MAX : entry.size, 20);
  header.writeUInt32LE(entry.zip64Sizes ? ZIP32_MAX : entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment length
  header.writeUInt16LE(0, 34); // disk number start
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  header.writeUInt32LE(offsetIn64 ? ZIP32_MAX : entry.offset, 42);
  return Buffer.concat([header, entry.name, extra]);
}

/**
 * What closes the archive: the ZIP64 end-of-central-directory record and its locator when any
 * count, size or offset overflows (or when forced), then the classic record with those fields
 * saturated.
 */
export function endOfCentralDirectory(
  summary: { entries: number; directorySize: number; directoryOffset: number },
  forceZip64: boolean,
): Buffer {
  const { entries, directorySize, directoryOffset } = summary;
  const needsZip64 =
    forceZip64 || entries >= ZIP16_MAX || directorySize >= ZIP32_MAX || directoryOffset >= ZIP32_MAX;
  const records: Buffer[] = [];
  if (needsZip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of this record
    record.writeUInt16LE(MADE_BY, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeUInt32LE(0, 16); // this disk
    record.writeUInt32LE(0, 20); // disk of the central directory
    record.writeBigUInt64LE(BigInt(entries), 24);
    record.writeBigUInt64LE(BigInt(entries), 32);
    record.writeBigUInt64LE(BigInt(directorySize), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
    locator.writeUInt32LE(1, 16); // total disks
    records.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  const count = needsZip64 ? ZIP16_MAX : entries;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(needsZip64 ? ZIP32_MAX : directorySize, 12);
  end.writeUInt32LE(needsZip64 ? ZIP32_MAX : directoryOffset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...records, end]);
}
