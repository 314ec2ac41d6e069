// What the models say of the runs' states (src/views/state.ts reads them): the files left out, and a
// table the models read that is behind another (its watermark).
import { entities } from '../entities/index.ts';
import type { Logger } from '../report/log.ts';
import { currentView } from '../views/sql.ts';
import { INCREMENTAL, warnWithheld, type ShopState } from '../views/state.ts';

/** The incremental entities whose tables' current-state views `names` holds. */
export function incrementalEntitiesOf(names: ReadonlySet<string>): string[] {
  return entities.filter((e) => INCREMENTAL.has(e.name) && e.tables.some((t) => names.has(currentView(t.name)))).map((e) => e.name);
}

/**
 * What the log says of the states before the models run: per shop, the files left out and whose runs
 * they are, and each entity the models read whose watermark is behind the newest of them.
 */
export function warnStates(states: readonly ShopState[], read: readonly string[], logger: Pick<Logger, 'warn'>): void {
  for (const s of states) {
    warnWithheld(s, 'the models', logger);
    const marks = read.flatMap((e) => (s.watermarks.has(e) ? [[e, s.watermarks.get(e)!] as const] : []));
    const newest = marks.reduce<readonly [string, string] | null>((a, m) => (a === null || m[1] > a[1] ? m : a), null);
    for (const [entity, watermark] of marks) {
      if (newest === null || watermark >= newest[1]) continue;
      logger.warn(`${s.shop}: ${entity} is complete up to ${watermark}, behind ${newest[0]} (complete up to ${newest[1]}): records updated between are modelled from ${newest[0]} and not yet from ${entity}; extract both in one run to catch up`, { shop: s.shop, entity, watermark, behind: newest[0], behindWatermark: newest[1] });
    }
  }
}
