// Which time windows a run extracts for an entity. Windows are half-open [since, until) in UTC.
// An incremental run starts at the watermark minus the lookback and ends at now minus the safety lag;
// a backfill takes --since/--until; long ranges are split so no single operation covers too much.
import type { Entity } from './entities/types.ts';

export interface Window {
  since: Date | null; // null: from the beginning of the store
  until: Date;
}

export interface PlanOptions {
  now: Date;
  since?: Date;
  until?: Date;
  fullRefresh: boolean;
  lookbackMs: number;
  windowMs: number;
  safetyLagMs: number;
}

export function planWindows(entity: Entity, watermark: string | null, options: PlanOptions): Window[] {
  const until = options.until ?? new Date(options.now.getTime() - options.safetyLagMs);
  if (!entity.incremental) return [{ since: null, until }];
  let since: Date | null = null;
  if (options.since) since = options.since;
  else if (!options.fullRefresh && watermark) since = new Date(Date.parse(watermark) - options.lookbackMs);
  if (since === null) return [{ since: null, until }];
  if (since >= until) return [];
  const windows: Window[] = [];
  for (let start = since.getTime(); start < until.getTime(); start += options.windowMs) {
    windows.push({ since: new Date(start), until: new Date(Math.min(start + options.windowMs, until.getTime())) });
  }
  return windows;
}

/**
 * Halves a window whose operation timed out. A window open at the start is first given a floor (the
 * shop's creation, or Shopify's founding year) so it can be cut. Returns null below the smallest
 * useful width: one instant cannot be split by time.
 */
export function splitWindow(window: Window, floor: Date, minWidthMs: number): [Window, Window] | null {
  const since = window.since ?? floor;
  const width = window.until.getTime() - since.getTime();
  if (width < 2 * minWidthMs) return null;
  const mid = new Date(since.getTime() + Math.floor(width / 2 / 1000) * 1000);
  return [{ since: window.since, until: mid }, { since: mid, until: window.until }];
}
