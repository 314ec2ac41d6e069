// What a run says about its plan: where a backfill's range does not apply as given, and with
// --dry-run what it would do, without touching anything: its scope preflight, the windows and queries
// of the entities that run, and its deletions stage.
import type { Entity } from '../entities/types.ts';
import type { Logger } from '../report/log.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import { ALL_ORDERS_SCOPE, hasScope } from '../shopify/scopes.ts';
import { StateDb } from '../state/db.ts';
import type { Windows } from '../state/windows.ts';
import { windowQuery } from './bulk-window.ts';
import { deletionEventsEntity, eventsQuery } from './deletes/events.ts';
import { idsQuery } from './deletes/ids-query.ts';
import { deletesOf, eventsPlan, HISTORY_CUT_NOTE, snapshotPlans } from './deletes/stage.ts';
import { planWindows, readLimit, type PlanOptions, type RangeOptions, type Window } from './plan.ts';
import { checkShopScopes } from './scope-preflight.ts';

/** Says where a backfill's range does not apply as given: an --until past what can have been read, snapshot entities. */
export function warnAboutRange(range: Pick<RangeOptions, 'since' | 'until' | 'safetyLagMs'>, selected: Entity[], now: Date, logger: Logger): void {
  const limit = readLimit({ now, safetyLagMs: range.safetyLagMs });
  if (range.until && range.until > limit) {
    logger.warn(`--until ${range.until.toISOString()} is later than now minus --safety-lag; the run ends at ${limit.toISOString()}, since nothing later can have been read`, { until: range.until.toISOString(), endsAt: limit.toISOString() });
  }
  const snapshots = selected.filter((e) => !e.incremental).map((e) => e.name);
  if ((range.since || range.until) && snapshots.length > 0) {
    logger.warn(`${snapshots.join(', ')}: snapshot entities have no date range; --since/--until do not apply, they are taken as they are now`, { entities: snapshots });
  }
}

/** How a plan is shown: from which state (the shop's file or gs:// object), and as log entries only (json) or as text. */
export interface PlanView {
  state: string;
  json: boolean;
}

/** What a run would know of the shop before it plans. */
export interface PlanShop {
  shop: string;
  plan: PlanOptions;
  /** Null without credentials: the scopes are not read, and every entity is shown as if granted. */
  client: ShopifyClient | null;
  /** --entities named the selected entities. */
  asked: boolean;
  /** --deletes-every (null: the deletions stage is off). */
  deletesEveryMs: number | null;
}

/**
 * Shows what a run would do, touching nothing: the scope preflight (which entities it skips or fails,
 * with the scope to grant), then the windows and queries of each entity that runs, then the deletions
 * stage: the destroy events' windows and, per entity it covers, whether its id snapshot is due.
 * `plan.floor` null: the shop's creation is unknown.
 */
export async function printPlan(view: PlanView, selected: Entity[], shop: PlanShop, logger: Logger): Promise<void> {
  // The state is only read, and only if it is local and already exists.
  const state = view.state.startsWith('gs://') ? null : StateDb.openReadOnly(view.state);
  const windows: Pick<Windows, 'watermark' | 'lastCommitted'> = state?.windows ?? { watermark: () => null, lastCommitted: () => null };
  const { plan } = shop;
  if (plan.floor === null && selected.some((e) => e.incremental)) {
    logger.warn('no credentials, so the shop\'s creation date is unknown: a range open at its start is shown as one window; the run splits it by --window from that date');
  }
  try {
    const planned = (entity: Entity): Window[] => planWindows(entity, windows.watermark(shop.shop, entity.name), plan);
    const { runnable, allOrders } = await preflight(view, selected, shop, planned, logger);
    for (const entity of runnable) show(view, shop.shop, entity.name, windows.watermark(shop.shop, entity.name), planned(entity), (w) => queries(entity, w), logger);
    const tracked = shop.deletesEveryMs === null ? [] : deletesOf(runnable);
    if (tracked.length === 0) return;
    // The deletions stage, as runDeletes plans it.
    const events = eventsPlan(windows, shop.shop, plan);
    const eventWindows = planWindows(deletionEventsEntity, windows.watermark(shop.shop, deletionEventsEntity.name), events);
    show(view, shop.shop, deletionEventsEntity.name, windows.watermark(shop.shop, deletionEventsEntity.name), eventWindows, (w) => eventsQuery(w.since, w.until), logger);
    for (const s of snapshotPlans(windows, shop.shop, tracked, { everyMs: shop.deletesEveryMs!, now: plan.now, allOrders })) {
      const note = s.decision === 'due' ? 'id snapshot due' : s.decision === 'not due' ? `id snapshot not due: the last one committed ${s.last!}` : `id snapshot ${HISTORY_CUT_NOTE}`;
      const query = s.decision === 'due' ? idsQuery(s.of) : null;
      if (view.json) {
        logger.info(`plan: ${s.entity.name}`, { snapshot: s.decision, last: s.last, ...(query ? { query } : {}) });
        continue;
      }
      logger.info(`plan: ${s.entity.name}`, { snapshot: s.decision, last: s.last });
      process.stdout.write(`# plan: ${shop.shop} ${s.entity.name} (${note})\n${query ? `${query}\n` : ''}`);
    }
  } finally {
    state?.close();
  }
}

/**
 * The scope preflight a run makes, shown the same way; the entities that would run, and whether every
 * order is shown (read_all_orders). Without credentials nothing is read: every entity is shown.
 */
async function preflight(view: PlanView, selected: Entity[], shop: PlanShop, windows: (entity: Entity) => Window[], logger: Logger): Promise<{ runnable: Entity[]; allOrders: boolean }> {
  if (!shop.client) {
    logger.warn('no credentials, so the scope preflight is not run: every selected entity is shown as if its scopes were granted');
    return { runnable: selected, allOrders: true };
  }
  const checked = await checkShopScopes({ client: shop.client, logger, now: shop.plan.now, asked: shop.asked, view: { json: view.json, write: (text) => process.stdout.write(text) }, windows }, selected);
  if (checked === null) return { runnable: selected, allOrders: false };
  return { runnable: checked.runnable, allOrders: hasScope(checked.granted, ALL_ORDERS_SCOPE) };
}

/** One entity's windows: for people text to read; off a terminal one log entry per entity, queries included. */
function show(view: PlanView, shop: string, name: string, watermark: string | null, windows: Window[], query: (w: { since: string | null; until: string }) => string, logger: Logger): void {
  const shown = windows.map((w) => ({ since: w.since?.toISOString() ?? null, until: w.until.toISOString() }));
  if (view.json) {
    logger.info(`plan: ${name}`, { watermark, windows: shown.map((w) => ({ ...w, query: query(w) })) });
    return;
  }
  logger.info(`plan: ${name}`, { watermark, windows: shown });
  for (const w of shown) process.stdout.write(`# plan: ${shop} ${name} [${w.since ?? 'beginning'}, ${w.until})\n${query(w)}\n`);
}

/** The window's query; an entity of several (Entity.parts) shows each, one after the other. */
function queries(entity: Entity, w: { since: string | null; until: string }): string {
  return entity.parts.map((part) => windowQuery(entity, w, part)).join('\n');
}
