// What a run says about its plan: where a backfill's range does not apply as given, and with
// --dry-run the windows and queries it would run, without touching anything.
import type { Entity } from '../entities/types.ts';
import type { Logger } from '../report/log.ts';
import { StateDb } from '../state/db.ts';
import { windowQuery } from './bulk-window.ts';
import { planWindows, readLimit, type PlanOptions, type RangeOptions } from './plan.ts';

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

/** Shows the windows and queries `plan` gives each selected entity; `plan.floor` null: the shop's creation is unknown. */
export function printPlan(view: PlanView, selected: Entity[], shop: string, plan: PlanOptions, logger: Logger): void {
  // Touches nothing: the state is only read, and only if it is local and already exists.
  const state = view.state.startsWith('gs://') ? null : StateDb.openReadOnly(view.state);
  if (plan.floor === null && selected.some((e) => e.incremental)) {
    logger.warn('no credentials, so the shop\'s creation date is unknown: a range open at its start is shown as one window; the run splits it by --window from that date');
  }
  try {
    for (const entity of selected) {
      const watermark = state?.windows.watermark(shop, entity.name) ?? null;
      const windows = planWindows(entity, watermark, plan);
      const shown = windows.map((w) => ({ since: w.since?.toISOString() ?? null, until: w.until.toISOString() }));
      // For people the plan is text to read; off a terminal it is one log entry per entity, queries included.
      if (view.json) {
        logger.info(`plan: ${entity.name}`, { watermark, windows: shown.map((w) => ({ ...w, query: queries(entity, w) })) });
        continue;
      }
      logger.info(`plan: ${entity.name}`, { watermark, windows: shown });
      for (const w of shown) process.stdout.write(`# plan: ${shop} ${entity.name} [${w.since ?? 'beginning'}, ${w.until})\n${queries(entity, w)}\n`);
    }
  } finally {
    state?.close();
  }
}

/** The window's query; an entity of several (Entity.parts) shows each, one after the other. */
function queries(entity: Entity, w: { since: string | null; until: string }): string {
  return entity.parts.map((part) => windowQuery(entity, w, part)).join('\n');
}
