const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `value` is something PostgreSQL accepts as a uuid. Ids come from URLs and tokens;
 * checking first turns a malformed one into "not found" instead of a 22P02 error.
 */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
