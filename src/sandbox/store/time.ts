// The store's timeline: everything happens in the year before now(), ending at least an hour before
// it (so a window ending "now" has settled). Times are whole epoch seconds, like Shopify's DateTime.

const HOUR = 3600;
export const DAY = 86_400;

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

/** DateTime as Shopify serialises it: ISO-8601 in UTC without milliseconds. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** ISO date (YYYY-MM-DD). */
export function isoDate(seconds: number): string {
  return iso(seconds).slice(0, 10);
}
