// What the report shows of the runs, read as `status` reads them (src/report/status.ts): each state
// without its lock. Per shop: its latest runs, from the state's runs table (the run summary it keeps,
// src/sync/run.ts ShopSummary) and each run's manifest in the destination (rows per table as
// published, failures, quality checks); and how fresh each output table is, from the state's outbox.
import type { ReportConfig } from '../../cli/config.ts';
import { EtlError } from '../../errors/index.ts';
import type { Destination } from '../../load/destination.ts';
import { manifestObjectName } from '../../load/layout.ts';
import type { ManifestDocument } from '../../load/manifest.ts';
import type { TableFreshness } from '../../state/db.ts';
import type { RunRow } from '../../state/runs.ts';
import type { QualityCheck, QualityReport } from '../../sync/quality.ts';
import type { ShopSummary } from '../../sync/run.ts';
import type { Logger } from '../log.ts';
import { readTargets } from '../status.ts';
import { operations, rowsByTable } from '../summary.ts';

export interface RunView {
  runId: string;
  status: RunRow['status'];
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Rows per table: the run summary's (every table of its entities), else the manifest's. */
  rowsByTable: Record<string, number>;
  operations: number | null;
  retries: number | null;
  failures: Array<{ entity: string; code: string; message: string }>;
  /** The run's quality checks; null when its manifest (or, without one, its summary) records none. */
  quality: QualityCheck[] | null;
  /** Why the manifest could not be read, when it could not. */
  manifestError: string | null;
}

export interface ShopRuns {
  shop: string;
  state: string;
  runs: RunView[];
  freshness: TableFreshness[];
}

export async function readRuns(config: Pick<ReportConfig, 'targets' | 'gcsEndpoint' | 'runs'>, dest: Destination, logger: Logger): Promise<ShopRuns[]> {
  const states = await readTargets(config, logger, (db) => ({ runs: db.runs.recent(config.runs), freshness: db.freshness() }));
  const shops: ShopRuns[] = [];
  for (const { shop, state, found } of states) {
    if (!found) {
      shops.push({ shop: shop!, state, runs: [], freshness: [] });
      continue;
    }
    // A state holds one shop's runs, but nothing stops one --state from being shared: group by shop.
    const names = [...new Set([...found.runs.map((r) => r.shop), ...found.freshness.map((f) => f.shop)])].sort();
    for (const name of names) {
      const runs = await Promise.all(found.runs.filter((r) => r.shop === name).map((r) => runView(r, dest)));
      shops.push({ shop: name, state, runs, freshness: found.freshness.filter((f) => f.shop === name) });
    }
  }
  return shops;
}

async function runView(row: RunRow, dest: Destination): Promise<RunView> {
  const summary = summaryOf(row.summary);
  let manifest: ManifestDocument | null = null;
  let manifestError: string | null = null;
  try {
    manifest = (await dest.readJson(manifestObjectName(row.shop, row.run_id))) as ManifestDocument | null;
  } catch (err) {
    // One damaged manifest should not hide every other run: the row says what is wrong with it.
    manifestError = err instanceof EtlError ? `${err.code}: ${err.message}` : String(err);
  }
  const started = Date.parse(row.started_at);
  return {
    runId: row.run_id,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: summary?.durationMs ?? (row.finished_at ? Date.parse(row.finished_at) - started : null),
    rowsByTable: summary ? rowsByTable(summary) : Object.fromEntries(Object.entries(manifest?.tables ?? {}).map(([t, v]) => [t, v.rows])),
    operations: summary ? operations(summary) : null,
    retries: summary?.retries ?? null,
    failures: summary ? summaryFailures(summary) : manifest?.failures ?? [],
    // The manifest's, else the run summary's (the same checks, kept in the state) when the manifest is unreadable.
    quality: qualityOf(manifest ?? summary),
    manifestError,
  };
}

/** The checks a manifest or summary records: `_quality`, or `quality` as versions before that name wrote it. */
function qualityOf(record: { _quality?: QualityReport; quality?: QualityReport } | null): QualityCheck[] | null {
  return (record?._quality ?? record?.quality)?.checks ?? null;
}

/** The run's summary, when its row holds one of the shape this version writes (older ones may hold less). */
function summaryOf(text: string | null): ShopSummary | null {
  const parsed = text ? (JSON.parse(text) as Partial<ShopSummary>) : null;
  return parsed && Array.isArray(parsed.entities) && Array.isArray(parsed.tables) ? (parsed as ShopSummary) : null;
}

function summaryFailures(s: ShopSummary): RunView['failures'] {
  const failures = s.entities.flatMap((e) => (e.error ? [{ entity: e.entity, ...e.error }] : []));
  return s.error ? [...failures, { entity: '(shop)', ...s.error }] : failures;
}
