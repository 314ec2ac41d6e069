// Which time windows a run extracts for an entity. Windows are half-open [since, until) in UTC.
// An incremental run starts at the watermark minus the lookback and ends at now minus the safety lag;
// a backfill takes --since/--until. No window ends after now minus the safety lag: nothing later can
// have been read, and a watermark past it would make every later run skip what changes meanwhile.
// Every range is split by --window, an open-ended one (first run, full refresh) from the shop's
// creation, so no single operation covers too much; the number of windows is bounded.
import type { Entity, ShopFeature } from '../entities/types.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { ALL_ORDERS_SCOPE, hasScope, limitedToOrderHistory, ORDER_HISTORY_MS } from '../shopify/scopes.ts';

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
  /** The shop's creation: where an open-ended range starts being split. Null only where it is unknown (a dry run that cannot ask the shop). */
  floor: Date | null;
}

/** Most windows one entity's plan may hold: each is a bulk operation, run one after another. */
export const MAX_WINDOWS = 1000;
/** The narrowest window: the --window floor, and the smallest half a timed-out window is split into. */
export const MIN_WINDOW_MS = 60 * 60 * 1000;

/** What the run's flags say about its range: --since, --until, --full-refresh, --lookback, --window, --safety-lag. */
export type RangeOptions = Omit<PlanOptions, 'now' | 'floor'>;

/** The plan options of a run that started at `now`, of a shop created at `floor`. */
export function planOptions(range: RangeOptions, now: Date, floor: Date | null): PlanOptions {
  const { since, until, fullRefresh, lookbackMs, windowMs, safetyLagMs } = range;
  return { now, since, until, fullRefresh, lookbackMs, windowMs, safetyLagMs, floor };
}

/** The latest instant a window of this run may end at. */
export function readLimit(options: Pick<PlanOptions, 'now' | 'safetyLagMs'>): Date {
  return new Date(options.now.getTime() - options.safetyLagMs);
}

export function planWindows(entity: Entity, watermark: string | null, options: PlanOptions): Window[] {
  const limit = readLimit(options);
  // A snapshot is the store as it is now: a date range does not apply to it.
  if (!entity.incremental) return [{ since: null, until: limit }];
  const until = options.until && options.until < limit ? options.until : limit;
  let since: Date | null = null;
  if (options.since) since = options.since;
  else if (!options.fullRefresh && watermark) since = new Date(Date.parse(watermark) - options.lookbackMs);
  // An open start stays open (nothing updated before the shop's creation is skipped); splitting starts at the creation.
  const start = since ?? options.floor;
  if (start === null || (since === null && start >= until)) return [{ since: null, until }];
  if (start >= until) return [];
  const count = Math.ceil((until.getTime() - start.getTime()) / options.windowMs);
  if (count > MAX_WINDOWS) {
    const needed = Math.ceil((until.getTime() - start.getTime()) / MAX_WINDOWS / 3_600_000);
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `${entity.name}: [${start.toISOString()}, ${until.toISOString()}) in windows of --window ${options.windowMs / 1000}s makes ${count} windows, more than ${MAX_WINDOWS}; use a larger --window (at least ${needed}h) or a narrower --since/--until`, {
      details: { entity: entity.name, windows: count, since: start.toISOString(), until: until.toISOString() },
    });
  }
  const windows: Window[] = [];
  for (let i = 0; i < count; i++) {
    const from = start.getTime() + i * options.windowMs;
    windows.push({ since: i === 0 ? since : new Date(from), until: new Date(Math.min(from + options.windowMs, until.getTime())) });
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

/** The scope preflight's verdict on one selected entity. */
export interface ScopeCheck {
  entity: string;
  /** What the entity declares it needs. */
  scopes: readonly string[];
  /** Those the shop has not granted: the entity does not sync while any is missing. */
  missing: string[];
  /** Named by --entities: a missing scope fails it (SCOPE_MISSING) rather than skipping it. */
  asked: boolean;
  /** Its planned windows reach back past 60 days of order history while read_all_orders is not granted. */
  historyCut: boolean;
  /** What the shop lacks for the entity's data to exist (its tables stay empty, with a note); null: nothing. */
  unmet: ShopFeature | null;
}

/**
 * Checks each selected entity's declared scopes against those granted, and what it requires of the
 * shop against `features` (what the shop has of the features the entities require), before anything
 * is submitted.
 * `windows` are the entity's planned windows: one open at its start (a first run, a full refresh) or
 * starting more than 60 days before `now` reaches into order history only read_all_orders shows.
 */
export function checkScopes(selected: readonly Entity[], granted: ReadonlySet<string>, asked: boolean, now: Date, windows: (entity: Entity) => Window[], features: ReadonlySet<ShopFeature> = new Set()): ScopeCheck[] {
  const historyStart = now.getTime() - ORDER_HISTORY_MS;
  const allOrders = hasScope(granted, ALL_ORDERS_SCOPE);
  return selected.map((entity) => {
    const missing = entity.scopes.filter((scope) => !hasScope(granted, scope));
    const historyCut = missing.length === 0 && !allOrders && limitedToOrderHistory(entity.scopes)
      && windows(entity).some((w) => w.since === null || w.since.getTime() < historyStart);
    const unmet = missing.length === 0 && entity.requires && !features.has(entity.requires) ? entity.requires : null;
    return { entity: entity.name, scopes: entity.scopes, missing, asked, historyCut, unmet };
  });
}
