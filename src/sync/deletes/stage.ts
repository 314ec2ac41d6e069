// The deletions stage of a shop's run, after its entities: the destroy events since the last run
// (events.ts), then, for each selected incremental entity with a snapshot whose schedule is due
// (--deletes-every), its id snapshot compared with the ids the warehouse holds (snapshot.ts). Each is a window-by-window
// entity of its own in the state (`deletion_events`, `<entity>_ids`), taken through the same commit
// protocol as every entity: its deletions rows are staged, uploaded, listed in the manifest and
// committed with the id sets' changes in one transaction; a killed run's windows are finished by the
// next. A snapshot not due still finishes what an earlier run left of it.
import pLimit from 'p-limit';
import type { Entity } from '../../entities/types.ts';
import { ALL_ORDERS_SCOPE, limitedToOrderHistory } from '../../shopify/scopes.ts';
import type { IdSets } from '../../state/id-sets.ts';
import type { Windows } from '../../state/windows.ts';
import type { BulkWindowDeps } from '../bulk-window.ts';
import { runEntity, type EntityOutcome, type EntityRunDeps } from '../entity-run.ts';
import type { PlanOptions } from '../plan.ts';
import { deletionEventsEntity, extractEventsWindow, reportsDestroys } from './events.ts';
import { extractSnapshotWindow, snapshotEntity } from './snapshot.ts';

export interface DeletesDeps {
  sync: EntityRunDeps;
  bulk: Pick<BulkWindowDeps, 'operations' | 'slots' | 'staging' | 'meta' | 'gzipLevel' | 'retryBudgetMs' | 'counts'>;
  ids: IdSets;
  /** --deletes-every, in milliseconds (0: every run). */
  everyMs: number;
  now: Date;
  /** read_all_orders is known to be granted: Shopify shows every order, not only the last 60 days'. */
  allOrders: boolean;
}

/**
 * The entities whose deletes the stage looks for: the selected incremental ones whose records leave a
 * destroy event (reportsDestroys) or whose root can be snapshotted. Any of them makes the stage read
 * the destroy events, so pages or articles selected alone have their deletes found too.
 */
export function deletesOf(selected: readonly Entity[]): Entity[] {
  return selected.filter((e) => e.incremental && e.deletes && (snapshotted(e) || reportsDestroys(e)));
}

/**
 * Whether an entity gets an id snapshot: its whole root is counted (pagesCount too, which takes no
 * filter). A root without a count (tender transactions, fulfillment orders, articles) cannot be shown
 * whole, so its snapshot could report a record the index missed as deleted: it has none. An article's
 * delete is found by its destroy event, and one deleted with its blog goes with it in the views; a
 * tender transaction outlives its order (its order_id becomes null), and a fulfillment order goes with
 * its order, which the orders' snapshot finds; the current-state views follow these through the
 * tables' references (src/views/sql.ts).
 */
function snapshotted(entity: Entity): boolean {
  return entity.incremental?.countedWhole === true && entity.deletes !== undefined;
}

/** What the stage does with an entity's id snapshot this run. */
export interface SnapshotPlan {
  /** The snapshot's own entity (`<entity>_ids`). */
  entity: Entity;
  of: Entity;
  /** `due`: taken; `not due`: its last complete one is younger than --deletes-every; `history cut`: skipped (historyCut). */
  decision: 'due' | 'not due' | 'history cut';
  /** When its last complete snapshot committed (null: never). */
  last: string | null;
}

/** The decision for each tracked entity's id snapshot, the same for a run and its --dry-run. */
export function snapshotPlans(windows: Pick<Windows, 'lastCommitted'>, shop: string, tracked: readonly Entity[], when: Pick<DeletesDeps, 'everyMs' | 'now' | 'allOrders'>): SnapshotPlan[] {
  return tracked.filter(snapshotted).map((of) => {
    const entity = snapshotEntity(of);
    const last = windows.lastCommitted(shop, entity.name);
    if (!when.allOrders && limitedToOrderHistory(of.scopes)) return { entity, of, decision: 'history cut', last };
    const due = last === null || when.now.getTime() - Date.parse(last) >= when.everyMs;
    return { entity, of, decision: due ? 'due' : 'not due', last };
  });
}

/** The plan of the destroy events' windows: a first read starts a lookback before the run, since what was deleted earlier never reached the warehouse. */
export function eventsPlan(windows: Pick<Windows, 'watermark'>, shop: string, plan: PlanOptions): PlanOptions {
  const first = windows.watermark(shop, deletionEventsEntity.name) === null && !plan.since;
  return first ? { ...plan, since: new Date(plan.now.getTime() - plan.lookbackMs - plan.safetyLagMs) } : plan;
}

/** `tracked`: the entities whose deletes are looked for (deletesOf the selected ones). */
export async function runDeletes(deps: DeletesDeps, tracked: readonly Entity[]): Promise<EntityOutcome[]> {
  if (tracked.length === 0) return [];
  const { sync, bulk, ids } = deps;
  // Neither kind is split by id: an events window too much for one operation is split by time, a snapshot is read whole.
  const noIdSplit = async (): Promise<null> => null;
  const plan = eventsPlan(sync.state.windows, sync.shop, sync.plan);
  const events = await runEntity({ ...sync, plan, extract: (_, w) => extractEventsWindow({ ...bulk, ids }, w), idBounds: noIdSplit }, deletionEventsEntity);
  // The snapshots' operations run at once (within the shop's bulk slots); their comparisons and rows one at a time.
  const writing = pLimit(1);
  const snapshots = await Promise.all(snapshotPlans(sync.state.windows, sync.shop, tracked, deps).map(({ entity, of, decision, last }) => {
    if (decision === 'history cut') return historyCut(deps, entity);
    if (decision === 'not due') sync.logger.info('id snapshot not due', { entity: entity.name, last, everyMs: deps.everyMs });
    // Not due, it still finishes what an earlier run left of it.
    return runEntity({ ...sync, extract: (_, w) => extractSnapshotWindow({ ...bulk, ids, oneAtATime: writing }, of, w), idBounds: noIdSplit }, entity, decision === 'due');
  }));
  return [events, ...snapshots];
}

/**
 * Without read_all_orders (or when the shop would not say it is granted) Shopify shows only the last
 * 60 days of orders and answers as if the older ones did not exist, so an id snapshot of an order root
 * would report every older order the warehouse holds deleted. The id sets hold ids only, not when a
 * record was created, so the ids the snapshot could see cannot be told from those it could not: no
 * snapshot is taken, and the note names the scope that brings it back.
 */
export const HISTORY_CUT_NOTE = `skipped: Shopify shows only the last 60 days of orders without ${ALL_ORDERS_SCOPE}, so older orders would look deleted; grant ${ALL_ORDERS_SCOPE} to find deleted orders`;

function historyCut(deps: DeletesDeps, entity: Entity): EntityOutcome {
  const note = HISTORY_CUT_NOTE;
  deps.sync.logger.warn(`${entity.name}: id snapshot ${note}`, { entity: entity.name, scope: ALL_ORDERS_SCOPE });
  return { entity: entity.name, status: 'skipped', windows: 0, rowsByTable: {}, operations: 0, retries: 0, watermark: null, note };
}
