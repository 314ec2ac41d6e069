// What the views (and the models over them) take from the runs' sync state (--state, or each shop's of
// --shops-file), read as `status` reads it, without the lock a running job holds: the part files a
// manifest may list but the state has not committed (left out: only committed data is read), each
// incremental entity's watermark and each shop's last run (the models name them). A destination's
// manifests list a window's files just before the state commits it, so between the two, or after a
// run that died there, only the state tells the two apart.
import type { StatusConfig } from '../cli/config.ts';
import { entities } from '../entities/index.ts';
import type { Logger } from '../report/log.ts';
import { readTargets } from '../report/status.ts';
import type { RunStatus } from '../state/runs.ts';

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

/** Entities whose windows move a watermark through time (a snapshot's is only when it last ran). */
export const INCREMENTAL: ReadonlySet<string> = new Set(entities.filter((e) => e.incremental !== null).map((e) => e.name));

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

/** The part files the views leave out: every shop's listed but not committed. */
export function withheldFiles(states: readonly ShopState[]): Set<string> {
  return new Set(states.flatMap((s) => s.withheld));
}

/**
 * Names the shops of the destination (`destShops`) that no state read holds: nothing can be withheld
 * of theirs, so their manifests are read as they are. Said only when some state was read.
 */
export function warnUnheld(states: readonly ShopState[], destShops: readonly string[], logger: Pick<Logger, 'warn'>): void {
  const held = new Set(states.map((s) => s.shop));
  const unheld = [...new Set(destShops)].filter((shop) => !held.has(shop)).sort();
  if (unheld.length > 0 && states.length > 0) {
    logger.warn(`no state read holds ${unheld.join(', ')}: ${unheld.length === 1 ? 'its' : 'their'} manifests are read as they are (pass --shops-file to read each shop's state)`, { shops: unheld });
  }
}

/** Says which of a shop's files are left out of `what`, and whose runs they are. */
export function warnWithheld(s: ShopState, what: string, logger: Pick<Logger, 'warn'>): void {
  if (s.withheld.length === 0) return;
  logger.warn(`${s.shop}: ${s.withheld.length} part file(s) uploaded by run(s) ${s.withheldRuns.join(', ')} are not committed in ${s.state} (a run still going, or one that died before its commit, which its rerun finishes): left out of ${what}`, { shop: s.shop, runs: s.withheldRuns, files: s.withheld.length });
}
