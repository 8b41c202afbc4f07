import type { RevenueInterval } from '@aegis/contracts';
import { dayStart } from './mrr.js';

/** `YYYY-MM-DD` of a UTC instant. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The first day of the interval holding `day` (UTC; a week starts on Monday, as ISO 8601 and date_trunc). */
export function intervalStartOf(day: string, interval: RevenueInterval): string {
  const date = dayStart(day);
  if (interval === 'day') return day;
  if (interval === 'month')
    return dayOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)));
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return dayOf(new Date(date.getTime() - sinceMonday * 86_400_000));
}

function nextIntervalStart(start: string, interval: RevenueInterval): string {
  const date = dayStart(start);
  if (interval === 'day') return dayOf(new Date(date.getTime() + 86_400_000));
  if (interval === 'week') return dayOf(new Date(date.getTime() + 7 * 86_400_000));
  return dayOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)));
}

/**
 * The first day of every interval touching the days `startDate` to
 * `endDate` (both included), oldest first: the first one may start before
 * `startDate` (only the range's days count in it).
 */
export function intervalStarts(
  startDate: string,
  endDate: string,
  interval: RevenueInterval,
): string[] {
  const starts: string[] = [];
  for (
    let start = intervalStartOf(startDate, interval);
    start <= endDate;
    start = nextIntervalStart(start, interval)
  )
    starts.push(start);
  return starts;
}
