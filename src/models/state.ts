// What the models take from the runs' sync state (--state, or each shop's of --shops-file), read as
// `status` reads it, without the lock a running job holds: the part files a manifest may list but the
// state has not committed (left out: only committed data feeds the models), each incremental entity's
// watermark (a table the models read that is behind another is named), and each shop's last run (named
// in the output). A destination's manifests list a window's files just before the state commits it,
// so between the two, or after a run that died there, only the state tells the two apart.
import type { StatusConfig } from '../cli/config.ts';
import { entities } from '../entities/index.ts';
import type { Logger } from '../report/log.ts';
import { readTargets } from '../report/status.ts';
import type { RunStatus } from '../state/runs.ts';
import { currentView } from '../views/sql.ts';

export interface ShopState {
  shop: string;
  /** The state it was read from. */
  state: string;
  lastRun: { runId: string; status: RunStatus; finishedAt: string | null } | null;
  /** Part files uploaded for windows not committed, and the runs that wrote them. */
  withheld: string[];
  withheldRuns: string[];
  /** Incremental entities' watermarks: every record updated before it is committed. */
  watermarks: Map<string, string>;
}

export type StateTargets = Pick<StatusConfig, 'targets' | 'gcsEndpoint'>;

/** Every shop of the states; a missing --state, or a file that is no state, is refused as `status` refuses it. */
export async function readShopStates(config: StateTargets, logger: Logger): Promise<ShopState[]> {
  const targets = await readTargets(config, logger, (db) => ({ runs: db.runs.recent(1), files: db.uncommittedFiles(), status: db.statusReport() }));
  const shops: ShopState[] = [];
  for (const { state, found: read } of targets) {
    if (!read) continue;
    const names = [...new Set([...read.runs.map((r) => r.shop), ...read.status.map((s) => s.shop)])].sort();
    for (const shop of names) {
      const run = read.runs.find((r) => r.shop === shop);
      const files = read.files.filter((f) => f.shop === shop);
      shops.push({
        shop,
        state,
        lastRun: run ? { runId: run.run_id, status: run.status, finishedAt: run.finished_at } : null,
        withheld: files.map((f) => f.object_name),
        withheldRuns: [...new Set(files.map((f) => f.run_id))].sort(),
        watermarks: new Map(read.status.filter((s) => s.shop === shop && s.watermark !== null && INCREMENTAL.has(s.entity)).map((s) => [s.entity, s.watermark!])),
      });
    }
  }
  return shops;
}

/** Entities whose windows move a watermark through time (a snapshot's is only when it last ran). */
const INCREMENTAL = new Set(entities.filter((e) => e.incremental !== null).map((e) => e.name));

/** The incremental entities whose tables' current-state views `names` holds. */
export function incrementalEntitiesOf(names: ReadonlySet<string>): string[] {
  return entities.filter((e) => INCREMENTAL.has(e.name) && e.tables.some((t) => names.has(currentView(t.name)))).map((e) => e.name);
}

/**
 * What the log says of the states before the models run: per shop, the files left out and whose runs
 * they are, each entity the models read whose watermark is behind the newest of them, and the shops of
 * the destination no state holds (their manifests taken as they are).
 */
export function warnStates(states: readonly ShopState[], read: readonly string[], destShops: readonly string[], logger: Pick<Logger, 'warn'>): void {
  for (const s of states) {
    if (s.withheld.length > 0) {
      logger.warn(`${s.shop}: ${s.withheld.length} part file(s) uploaded by run(s) ${s.withheldRuns.join(', ')} are not committed in ${s.state} (a run still going, or one that died before its commit, which its rerun finishes): left out of the models`, { shop: s.shop, runs: s.withheldRuns, files: s.withheld.length });
    }
    const marks = read.flatMap((e) => (s.watermarks.has(e) ? [[e, s.watermarks.get(e)!] as const] : []));
    const newest = marks.reduce<readonly [string, string] | null>((a, m) => (a === null || m[1] > a[1] ? m : a), null);
    for (const [entity, watermark] of marks) {
      if (newest === null || watermark >= newest[1]) continue;
      logger.warn(`${s.shop}: ${entity} is complete up to ${watermark}, behind ${newest[0]} (complete up to ${newest[1]}): records updated between are modelled from ${newest[0]} and not yet from ${entity}; extract both in one run to catch up`, { shop: s.shop, entity, watermark, behind: newest[0], behindWatermark: newest[1] });
    }
  }
  const held = new Set(states.map((s) => s.shop));
  const unheld = destShops.filter((shop) => !held.has(shop));
  if (unheld.length > 0 && states.length > 0) {
    logger.warn(`no state read holds ${unheld.join(', ')}: ${unheld.length === 1 ? 'its' : 'their'} manifests are modelled as they are (pass --shops-file to read each shop's state)`, { shops: unheld });
  }
}
