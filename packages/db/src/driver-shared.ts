// What both database drivers share: how numbers come back, and how an error is put in words.

export const INT8_OID = 20;
export const NUMERIC_OID = 1700;

// int8 (sizes, byte counts, count(*)) and numeric (sum() of int8) come back as JS numbers on both
// drivers: library sizes stay far below 2^53, and callers should not have to juggle strings.
// The schema has no numeric columns, so nothing that needs arbitrary precision is affected.
export const toNumber = (value: string): number => Number(value);

/** The first useful message of an error (of an AggregateError, its first error's). */
export function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
