// The store's timeline: everything happens in the year before now(), ending at least an hour before
// it (so a window ending "now" has settled). Times are whole epoch seconds, like Shopify's DateTime.

export const DAY = 86_400;
const HOUR = 3600;

export interface Timeline {
  /** Epoch seconds of the earliest createdAt. */
  start: number;
  /** Epoch seconds no createdAt/updatedAt of the seeded data reaches. */
  end: number;
}

/** Anchored to the hour, so two stores built within the same hour from one seed are identical. */
export function timelineFor(now: Date): Timeline {
  const end = Math.floor(now.getTime() / 1000 / HOUR) * HOUR - HOUR;
  return { start: end - 365 * DAY, end };
}

/** Seconds since the epoch, floored, as Shopify keeps them. */
export function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

const dayPrefixes = new Map<number, string>();
const MAX_CACHED_DAYS = 4096;

/** DateTime as Shopify serialises it: ISO-8601 in UTC without milliseconds. */
export function iso(seconds: number): string {
  // Called for every timestamp of every line; formatting the date part once per day is much cheaper.
  const day = Math.floor(seconds / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY * 1000).toISOString().slice(0, 11);
    if (dayPrefixes.size >= MAX_CACHED_DAYS) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  const s = seconds - day * DAY;
  return `${prefix}${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ISO date (YYYY-MM-DD). */
export function isoDate(seconds: number): string {
  return iso(seconds).slice(0, 10);
}
