// One entity of one shop in one run: first finish what an earlier, interrupted run left (upload its
// staged files, adopt its operation, or extract its window again), then extract the planned windows
// in time order. Each window is taken through its state machine (window.ts) to committed. A window
// that cannot complete stops the entity, so the watermark never passes a gap.
import type { Entity } from '../entities/types.ts';
import { EtlError, ErrorCodes, isEtlError, policyOf, type ErrorCode } from '../errors/index.ts';
import type { Manifest } from '../load/manifest.ts';
import { WindowOutbox, discardWindowParts, type OutboxDeps } from '../load/outbox.ts';
import type { Logger } from '../report/log.ts';
import type { Progress } from '../report/progress.ts';
import type { StateDb } from '../state/db.ts';
import type { WindowRow } from '../state/windows.ts';
import type { IdRange } from '../entities/queries.ts';
import { idRangeOf, splitIds, type IdBounds } from './id-split.ts';
import { MIN_WINDOW_MS, planWindows, splitWindow, type PlanOptions, type Window } from './plan.ts';
import type { WindowOutput } from './staging.ts';
import type { WindowMachine } from './window.ts';

export interface EntityOutcome {
  entity: string;
  /** skipped: not run, for a scope the app was not granted and --entities did not ask for it (scope-preflight.ts). */
  status: 'committed' | 'failed' | 'interrupted' | 'skipped';
  windows: number;
  rowsByTable: Record<string, number>;
  operations: number;
  retries: number;
  watermark: string | null;
  error?: { code: string; message: string };
  /** Why a skipped entity did not run, and what to do about it. */
  note?: string;
}

/** Attempts at one window when its failures say to resubmit it (the error policy table, src/errors/policy.ts). */
const MAX_ATTEMPTS = 3;
/** A window is halved at most this many times (1/16 of it), so a store that is slow everywhere fails instead of fanning out. */
const MAX_SPLIT_DEPTH = 4;
/**
 * A window too narrow to halve by time is halved by id at most this many times (1/1024 of its ids):
 * enough for a thousand operations' worth of records on one instant, bounded for a store slow everywhere.
 */
const MAX_ID_SPLIT_DEPTH = 10;
const SHOPIFY_FOUNDED = new Date('2006-01-01T00:00:00Z');

export interface EntityRunDeps {
  shop: string;
  runId: string;
  state: Pick<StateDb, 'windows' | 'operations'>;
  /** The window's state machine. */
  machine: (windowId: number) => WindowMachine;
  /** One attempt at a window: its rows staged and uploaded (bulk-window.ts, plain-window.ts). */
  extract: (entity: Entity, window: WindowMachine) => Promise<WindowOutput>;
  /** The lowest and highest id a window of an incremental entity matches, to split it by id (id-split.ts). */
  idBounds: (entity: Entity, window: WindowRow) => Promise<IdBounds | null>;
  outbox: OutboxDeps;
  /** --staging: where an interrupted run's parts wait to be uploaded. */
  stagingRoot: string;
  plan: PlanOptions;
  manifest: Pick<Manifest, 'addFailure'>;
  logger: Logger;
  progress: Progress;
  signal: AbortSignal;
}

/** `plan`: false finishes only what earlier runs left (a deletions snapshot that is not due, src/sync/deletes/). */
export async function runEntity(deps: EntityRunDeps, entity: Entity, plan = true): Promise<EntityOutcome> {
  const outcome: EntityOutcome = { entity: entity.name, status: 'committed', windows: 0, rowsByTable: {}, operations: 0, retries: 0, watermark: null };
  const log = deps.logger.child({ entity: entity.name });
  try {
    for (const leftover of deps.state.windows.leftover(deps.shop, entity.name, deps.runId)) {
      log.info('resuming a window an earlier run left open', { windowId: leftover.window_id, status: leftover.status, run: leftover.run_id });
      deps.state.windows.adopt(leftover.window_id, deps.runId);
      await finishWindow(deps, entity, deps.machine(leftover.window_id), outcome, leftover.run_id);
    }
    // Planned again after the leftovers: committing them may have moved the watermark.
    if (plan) for (const w of planEntity(deps, entity)) await runPlannedWindow(deps, entity, w, outcome);
    outcome.watermark = deps.state.windows.watermark(deps.shop, entity.name);
    deps.progress.update(entity.name, { phase: 'committed' });
  } catch (err) {
    outcome.watermark = deps.state.windows.watermark(deps.shop, entity.name);
    const e = toEtlError(err);
    outcome.status = e.code === ErrorCodes.INTERRUPTED ? 'interrupted' : 'failed';
    outcome.error = { code: e.code, message: e.message };
    deps.progress.update(entity.name, { phase: 'failed' });
    if (outcome.status === 'failed') {
      deps.manifest.addFailure(entity.name, e.code, e.message);
      log.error(`${entity.name} failed: ${e.message}`, { code: e.code, watermark: outcome.watermark });
    }
    if (policyOf(e.code).scope === 'shop') throw e;
  }
  return outcome;
}

/** The windows this run extracts for the entity, from its current watermark. */
export function planEntity(deps: Pick<EntityRunDeps, 'shop' | 'state' | 'plan'>, entity: Entity): Window[] {
  return planWindows(entity, deps.state.windows.watermark(deps.shop, entity.name), deps.plan);
}

/** A window to extract: a planned one, or a part of a split one (an id-range part keeps its window's time range). */
interface Part extends Window {
  ids?: IdRange;
}

/** How many times the window was halved on its way here, by time and by id. */
interface SplitDepth {
  time: number;
  id: number;
}

async function runPlannedWindow(deps: EntityRunDeps, entity: Entity, w: Part, outcome: EntityOutcome, splitDepth: SplitDepth = { time: 0, id: 0 }): Promise<void> {
  deps.signal.throwIfAborted();
  const windowId = deps.state.windows.create({
    runId: deps.runId, shop: deps.shop, entity: entity.name, since: w.since?.toISOString() ?? null, until: w.until.toISOString(),
    idAfter: w.ids?.after ?? null, idThrough: w.ids?.through ?? null,
  });
  await finishWindow(deps, entity, deps.machine(windowId), outcome, undefined, splitDepth);
}

/** Takes a window from whatever state it is in to committed, or throws with the window marked. */
async function finishWindow(deps: EntityRunDeps, entity: Entity, window: WindowMachine, outcome: EntityOutcome, extractedByRun?: string, splitDepth: SplitDepth = { time: 0, id: 0 }): Promise<void> {
  let output: WindowOutput | null = null;
  const status = window.row.status;
  if (extractedByRun && (status === 'downloaded' || status === 'uploaded')) output = await resumeUploads(deps, window, extractedByRun);
  if (!output) {
    const result = await extractWithRetries(deps, entity, window, outcome, splitDepth);
    if (result === 'split') return;
    output = result;
    extractedByRun = undefined;
  }
  window.uploaded({ lines: output.lines, maxCursor: output.maxCursor });
  const row = window.row;
  const watermark = await window.commit({
    windowKey: row.window_key,
    entity: entity.name,
    since: row.since,
    until: row.until,
    ...(row.id_after !== null || row.id_through !== null ? { ids: idRangeOf(row) } : {}),
    operationId: output.operationId,
    ...(output.operationIds ? { operationIds: output.operationIds } : {}),
    ...(extractedByRun ? { extractedByRun } : {}),
    checks: {
      objectCount: output.objectCount,
      linesRead: output.lines,
      linesMatchObjectCount: output.objectCount === null || output.objectCount === output.lines,
      ...(output.counts ? { counts: output.counts } : {}),
    },
  }, output.files);
  outcome.windows += 1;
  for (const [table, rows] of Object.entries(output.rowsByTable)) outcome.rowsByTable[table] = (outcome.rowsByTable[table] ?? 0) + rows;
  const ids = row.id_after !== null || row.id_through !== null ? { idAfter: row.id_after, idThrough: row.id_through } : {};
  deps.logger.info('window committed', { entity: entity.name, since: row.since, until: row.until, ...ids, lines: output.lines, files: output.files.length, watermark });
}

/**
 * A window whose files were all written before the crash: upload what is still staged. Returns null
 * when a staged file is gone (the disk was lost), so the window is extracted again.
 */
async function resumeUploads(deps: EntityRunDeps, window: WindowMachine, extractedByRun: string): Promise<WindowOutput | null> {
  const row = window.row;
  const resumed = await WindowOutbox.resume(deps.outbox, row, deps.stagingRoot, extractedByRun, (index) => window.checkpoint(index === 0 ? 'before-upload' : 'uploading'));
  if (!resumed) return null;
  const ops = deps.state.operations.ofWindowParts(row.window_id);
  const objectCount = ops.length === 0 || ops.some((o) => o.object_count === null) ? null : ops.reduce((a, o) => a + o.object_count!, 0);
  return {
    lines: row.lines ?? 0, rowsByTable: resumed.rowsByTable, maxCursor: row.max_cursor, files: resumed.files, operationId: row.operation_id, objectCount,
    ...(ops.length > 1 ? { operationIds: ops.map((o) => o.operation_id) } : {}),
  };
}

async function extractWithRetries(deps: EntityRunDeps, entity: Entity, window: WindowMachine, outcome: EntityOutcome, splitDepth: SplitDepth): Promise<WindowOutput | 'split'> {
  for (let attempt = 1; ; attempt++) {
    await discardWindowParts(deps.outbox, window.id);
    try {
      outcome.operations += entity.kind === 'bulk' ? 1 : 0;
      return await deps.extract(entity, window);
    } catch (err) {
      const e = toEtlError(err);
      if (e.code === ErrorCodes.INTERRUPTED) throw e;
      if (e.action === 'resubmit' && attempt < MAX_ATTEMPTS) {
        outcome.retries += 1;
        deps.logger.warn(`${entity.name}: ${e.message}; extracting the window again (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`, { code: e.code, windowId: window.id });
        continue;
      }
      const row = window.row;
      // Too much for one operation (Shopify's TIMEOUT, or past our time or size bound): the same window would fail again.
      const split = e.action === 'split' ? await splitOf(deps, entity, row, splitDepth, e.code) : null;
      if (split) {
        window.abandoned(e);
        const ids = split.by === 'id' ? { idAfter: row.id_after, idThrough: row.id_through } : {};
        deps.logger.warn(`${entity.name}: too much for one operation; splitting the window in two${split.by === 'id' ? ' by id' : ''}`, { code: e.code, since: row.since, until: row.until, ...ids, depth: split.depth.time + split.depth.id });
        await discardWindowParts(deps.outbox, window.id);
        for (const part of split.parts) await runPlannedWindow(deps, entity, part, outcome, split.depth);
        return 'split';
      }
      await discardWindowParts(deps.outbox, window.id);
      // Its operation still running (Shopify unreachable past the retry budget, say): the window stays
      // open, so the next run adopts the operation, or cancels it if it no longer fits, rather than
      // leave it holding one of the shop's bulk slots for nothing. A window-scoped failure ended the
      // operation (or read it whole): nothing is left to adopt.
      const live = deps.state.operations.ofWindowParts(window.id).find((o) => o.status === 'CREATED' || o.status === 'RUNNING');
      const keep = policyOf(e.code).scope !== 'window' && live !== undefined;
      if (keep) window.keptOpen(e);
      else window.failed(e);
      if (keep) deps.logger.warn(`${entity.name}: the window stays open; the next run adopts its operation`, { windowId: window.id, operationId: live.operation_id });
      throw e;
    }
  }
}

/**
 * The two parts a window too much for one operation is split into. By time while it is wider than two
 * of the narrowest windows, at most MAX_SPLIT_DEPTH times. Narrower, time cannot help (one instant may
 * hold more records than an operation reads): by id, keeping its time range, at most MAX_ID_SPLIT_DEPTH
 * times. A part still too wide after every time halving goes on by id too when Shopify said the
 * operation held too much (its TIMEOUT), so any window completes; one we cancelled for running past
 * --operation-timeout fails there instead, as a store slow everywhere would only be asked again and
 * again. Null: it cannot be split further, and fails.
 */
async function splitOf(deps: EntityRunDeps, entity: Entity, row: WindowRow, depth: SplitDepth, code: ErrorCode): Promise<{ by: 'time' | 'id'; parts: [Part, Part]; depth: SplitDepth } | null> {
  const window = { since: row.since ? new Date(row.since) : null, until: new Date(row.until!) };
  const ids = idRangeOf(row);
  const byId = ids.after !== null || ids.through !== null;
  const halves = byId ? null : splitWindow(window, deps.plan.floor ?? SHOPIFY_FOUNDED, MIN_WINDOW_MS);
  if (halves && depth.time < MAX_SPLIT_DEPTH) return { by: 'time', parts: halves, depth: { ...depth, time: depth.time + 1 } };
  if (halves && code !== ErrorCodes.BULK_TIMEOUT) return null;
  if (!entity.incremental || depth.id >= MAX_ID_SPLIT_DEPTH) return null;
  let bounds: IdBounds | null;
  try {
    bounds = await deps.idBounds(entity, row);
  } catch (err) {
    const e = toEtlError(err);
    if (e.code === ErrorCodes.INTERRUPTED) throw e;
    // The window fails with the error that made it too much; the look-up's own is only logged.
    deps.logger.warn(`${entity.name}: could not look up the window's ids to split it: ${e.message}`, { code: e.code, windowId: row.window_id });
    return null;
  }
  const parts = splitIds(ids, bounds);
  return parts ? { by: 'id', parts: [{ ...window, ids: parts[0] }, { ...window, ids: parts[1] }], depth: { ...depth, id: depth.id + 1 } } : null;
}

function toEtlError(err: unknown): EtlError {
  if (err instanceof EtlError) return err;
  if ((err as Error)?.name === 'AbortError' || isEtlError((err as { cause?: unknown })?.cause, ErrorCodes.INTERRUPTED)) {
    return new EtlError(ErrorCodes.INTERRUPTED, 'interrupted', { cause: err });
  }
  return new EtlError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { cause: err });
}
