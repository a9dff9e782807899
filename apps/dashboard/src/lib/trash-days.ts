const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long an item has before the purge takes it: whole days left, rounded down, so it never
 * promises a day that is not there ("29 days left", "1 day left", "Less than a day left").
 */
export function daysLeft(purgeAt: string, now: number): string {
  const days = Math.floor((Date.parse(purgeAt) - now) / DAY_MS);
  if (!(days >= 1)) return 'Less than a day left';
  return `${days} ${days === 1 ? 'day' : 'days'} left`;
}
