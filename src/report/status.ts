// `shopify-bulk-etl status`: what the sync state says, per shop and entity — watermark, last run and
// its outcome, bulk operations still open, and files waiting for upload. It only looks: a local file
// is opened read-only, a gs:// state is copied to a temp file (never taking the lock a running job
// holds) and the copy removed; a shops file's shops are each read from their own state. The report
// (src/report/html) reads its states the same way.
import type { StatusConfig } from '../cli/config.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { Logger } from './log.ts';
import type { StateDb, StatusEntry } from '../state/db.ts';
import { readState } from '../state/read.ts';

/** One line of the report: a (shop, entity) of a state, or a shop of a shops file with no state yet (entity null). */
export type StatusRow = Omit<StatusEntry, 'entity'> & { entity: string | null; state: string };

/** What `read` took from each target's state; `found` is null for a shops file's shop with no state yet. */
export type TargetState<T> = { shop: string | null; state: string; found: T | null };

/**
 * Reads each target's state without its lock (status, report). --state itself naming no state is
 * refused: it is a mistyped path far more often than a job that never ran.
 */
export async function readTargets<T>(config: Pick<StatusConfig, 'targets' | 'gcsEndpoint'>, logger: Logger, read: (db: StateDb) => T): Promise<Array<TargetState<T>>> {
  const out: Array<TargetState<T>> = [];
  for (const target of config.targets) {
    const found = await readState(target.state, { gcsEndpoint: config.gcsEndpoint, logger }, read);
    if (found === null && !target.shop) throw new EtlError(ErrorCodes.CONFIG_INVALID, `no state database at ${target.state}; pass the --state a run used (with --shops-file, pass the file too: each shop has state-<shop>.db)`);
    out.push({ ...target, found });
  }
  return out;
}

export async function readStatus(config: Pick<StatusConfig, 'targets' | 'gcsEndpoint'>, logger: Logger): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (const { shop, state, found } of await readTargets(config, logger, (db) => db.statusReport())) {
    if (found) rows.push(...found.map((e) => ({ ...e, state })));
    else rows.push({ shop: shop!, entity: null, watermark: null, last_run: null, last_outcome: null, last_error: null, open_operations: null, pending_files: 0, state });
  }
  return rows;
}

export function formatStatus(rows: StatusRow[]): string {
  const header = ['shop', 'entity', 'watermark', 'last run', 'outcome', 'open operations', 'pending files'];
  const cells = rows.map((r) => r.entity === null
    ? [r.shop, '-', '-', '-', 'no state yet', '-', '-']
    : [r.shop, r.entity, r.watermark ?? '-', r.last_run ?? '-', r.last_outcome ?? '-', r.open_operations ?? '-', String(r.pending_files)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const errors = rows.filter((r) => r.last_error).map((r) => `${r.shop} ${r.entity}: ${r.last_error}`);
  return [line(header), ...cells.map(line), ...(errors.length ? ['', 'last errors:', ...errors] : [])].join('\n') + '\n';
}
