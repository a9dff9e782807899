import { describe, expect, it } from 'vitest';
import { daysLeft } from '../../src/lib/trash-days.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-12-05T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('days left in the trash', () => {
  it('counts whole days, rounded down', () => {
    expect(daysLeft(at(30 * DAY - 1000), NOW)).toBe('29 days left');
    expect(daysLeft(at(30 * DAY), NOW)).toBe('30 days left');
    expect(daysLeft(at(2 * DAY + 5), NOW)).toBe('2 days left');
  });

  it('says "1 day" in the singular', () => {
    expect(daysLeft(at(DAY), NOW)).toBe('1 day left');
    expect(daysLeft(at(DAY + DAY / 2), NOW)).toBe('1 day left');
  });

  it('says "less than a day" under a day, and when the purge is already due', () => {
    expect(daysLeft(at(DAY - 1), NOW)).toBe('Less than a day left');
    expect(daysLeft(at(-DAY), NOW)).toBe('Less than a day left');
  });
});
