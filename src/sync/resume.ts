// Before a run resumes what earlier runs left, it clears up after them, holding the state lock (so
// none of them is alive). For each run that died (still `running` in the state) or still owns an open
// window: its manifest keeps only the windows the state has committed (matched by window key, never
// by time range: two windows can share one) and is marked interrupted if it was running; then every
// part under that run's own folders that no manifest will list is deleted. A part counts as listed
// when a kept window lists it or the state's outbox still holds it for a window to be finished (a
// re-extracted window's outbox parts are deleted when it starts again). The outbox of a gs:// state
// may lag behind the parts a killed run uploaded, so the folders are listed, not the outbox.
// The windows themselves are resumed by the entity runs, which list them in their own manifest once
// committed: across all manifests every published file appears exactly once.
// Last, staging folders of other runs hold nothing the state still needs once their windows are
// committed or given up: they are removed (a killed run leaves its partial parts there).
import { readdir, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { entities } from '../entities/index.ts';
import { fromSystemError } from '../errors/index.ts';
import type { Destination } from '../load/destination.ts';
import { manifestObjectName, runPartsPrefix } from '../load/layout.ts';
import type { ManifestDocument } from '../load/manifest.ts';
import type { Logger } from '../report/log.ts';
import type { StateDb } from '../state/db.ts';

export interface RecoveryContext {
  state: StateDb;
  dest: Destination;
  shop: string;
  runId: string;
  staging: string;
  logger: Logger;
}

export async function recoverInterrupted(ctx: RecoveryContext): Promise<void> {
  for (const oldRun of ctx.state.runs.toRecover(ctx.shop, ctx.runId)) {
    const listed = await retractUncommitted(ctx, oldRun);
    await deleteUnlisted(ctx, oldRun, listed);
    // Only now: a run killed during the clear-up finds this one still `running` and does it again.
    ctx.state.runs.markInterrupted(oldRun);
  }
  await sweepStaging(ctx);
}

/** Rewrites the run's manifest without its uncommitted windows; returns the parts it still lists. */
async function retractUncommitted(ctx: RecoveryContext, oldRun: string): Promise<Set<string>> {
  const name = manifestObjectName(ctx.shop, oldRun);
  const doc = (await ctx.dest.readJson(name)) as ManifestDocument | null;
  if (!doc) return new Set();
  // A window listed without a key was written before keys existed: kept, since it cannot be matched.
  const kept = doc.windows.filter((w) => w.windowKey === undefined || ctx.state.windows.isCommitted(w.windowKey));
  const status = doc.status === 'running' ? 'interrupted' : doc.status;
  if (kept.length !== doc.windows.length || status !== doc.status) {
    const tables: ManifestDocument['tables'] = {};
    for (const f of kept.flatMap((w) => w.files)) {
      const t = (tables[f.table] ??= { files: 0, rows: 0, bytes: 0 });
      t.files += 1;
      t.rows += f.rows;
      t.bytes += f.bytes;
    }
    await ctx.dest.writeJson(name, { ...doc, status, windows: kept, tables }, { replace: true });
    ctx.logger.info('an interrupted run\'s manifest now lists only its committed windows', { interruptedRun: oldRun, windowsRetracted: doc.windows.length - kept.length, windowsKept: kept.length });
  }
  return new Set(kept.flatMap((w) => w.files.map((f) => f.objectName)));
}

async function deleteUnlisted(ctx: RecoveryContext, oldRun: string, listed: Set<string>): Promise<void> {
  const outbox = ctx.state.files.outboxObjects(oldRun);
  const tables = [...new Set(entities.flatMap((e) => e.tables.map((t) => t.name)))];
  const found = (await Promise.all(tables.map((t) => ctx.dest.list(runPartsPrefix(t, ctx.shop, oldRun))))).flat();
  const unlisted = found.filter((name) => !listed.has(name) && !outbox.has(name));
  for (const name of unlisted) await ctx.dest.delete(name);
  if (unlisted.length) ctx.logger.info('deleted the parts of an interrupted run that no manifest lists', { interruptedRun: oldRun, files: unlisted.length });
}

/** Removes staging/<run> folders of this shop's other runs, unless they hold a part a resumable window still needs. */
async function sweepStaging(ctx: RecoveryContext): Promise<void> {
  let names: string[];
  try {
    names = await readdir(ctx.staging);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fromSystemError(err, `reading the staging folder ${ctx.staging}`);
  }
  const known = ctx.state.runs.ids(ctx.shop);
  const needed = [...ctx.state.files.stagedPaths()];
  const swept = names.filter((run) => run !== ctx.runId && known.has(run) && !needed.some((p) => p.startsWith(join(ctx.staging, run) + sep)));
  for (const run of swept) {
    await rm(join(ctx.staging, run), { recursive: true, force: true }).catch((err: unknown) => {
      throw fromSystemError(err, `removing the staging folder of run ${run}`);
    });
  }
  if (swept.length) ctx.logger.info('removed the staging folders of earlier runs', { runs: swept });
}
