// What a run says about its plan: where a backfill's range does not apply as given, and with
// --dry-run the windows and queries it would run, without touching anything.
import type { RunConfig } from '../cli/config.ts';
import type { Entity } from '../entities/types.ts';
import type { Logger } from '../report/log.ts';
import { StateDb } from '../state/db.ts';
import { windowQuery } from './bulk-window.ts';
import { planOptions, planWindows, readLimit } from './plan.ts';
import type { RunDeps } from './run.ts';

/** Says where a backfill's range does not apply as given: an --until past what can have been read, snapshot entities. */
export function warnAboutRange(config: RunConfig, selected: Entity[], now: Date, logger: Logger): void {
  const limit = readLimit({ now, safetyLagMs: config.safetyLagMs });
  if (config.until && config.until > limit) {
    logger.warn(`--until ${config.until.toISOString()} is later than now minus --safety-lag; the run ends at ${limit.toISOString()}, since nothing later can have been read`, { until: config.until.toISOString(), endsAt: limit.toISOString() });
  }
  const snapshots = selected.filter((e) => !e.incremental).map((e) => e.name);
  if ((config.since || config.until) && snapshots.length > 0) {
    logger.warn(`${snapshots.join(', ')}: snapshot entities have no date range; --since/--until do not apply, they are taken as they are now`, { entities: snapshots });
  }
}

export function printPlan(config: RunConfig, selected: Entity[], shop: string, now: Date, shopCreatedAt: Date | null, deps: RunDeps): void {
  // Touches nothing: the state is only read, and only if it is local and already exists.
  const state = config.state.startsWith('gs://') ? null : StateDb.openReadOnly(config.state);
  if (shopCreatedAt === null && selected.some((e) => e.incremental)) {
    deps.logger.warn('no credentials, so the shop\'s creation date is unknown: a range open at its start is shown as one window; the run splits it by --window from that date');
  }
  try {
    for (const entity of selected) {
      const watermark = state?.windows.watermark(shop, entity.name) ?? null;
      const windows = planWindows(entity, watermark, planOptions(config, now, shopCreatedAt));
      const plan = windows.map((w) => ({ since: w.since?.toISOString() ?? null, until: w.until.toISOString() }));
      // For people the plan is text to read; off a terminal it is one log entry per entity, queries included.
      if (config.log.format === 'json') {
        deps.logger.info(`plan: ${entity.name}`, { watermark, windows: plan.map((w) => ({ ...w, query: windowQuery(entity, w) })) });
        continue;
      }
      deps.logger.info(`plan: ${entity.name}`, { watermark, windows: plan });
      for (const w of plan) process.stdout.write(`# plan: ${shop} ${entity.name} [${w.since ?? 'beginning'}, ${w.until})\n${windowQuery(entity, w)}\n`);
    }
  } finally {
    state?.close();
  }
}
