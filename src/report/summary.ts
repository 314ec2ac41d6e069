// The run summary: what a person reads at the end (a table on stdout) and what a machine reads (a
// structured log line per shop, then one final 'job summary' line with rows and bytes per table,
// operations, retries, duration and the shops that failed — the line to alert on in Cloud Logging).
import type { Logger } from './log.ts';
import type { JobResult, ShopSummary } from '../sync/run.ts';
import { formatBytes, plural } from './text.ts';

/** Rows per table, every table of the selected entities included (0 when it got none). */
export function rowsByTable(s: ShopSummary): Record<string, number> {
  const rows: Record<string, number> = Object.fromEntries(s.tables.map((t) => [t, 0]));
  for (const e of s.entities) for (const [t, n] of Object.entries(e.rowsByTable)) rows[t] = (rows[t] ?? 0) + n;
  return rows;
}

/** Bytes of the published part files per table, every table of the selected entities included. */
function bytesByTable(s: ShopSummary): Record<string, number> {
  return { ...Object.fromEntries(s.tables.map((t) => [t, 0])), ...s.bytesByTable };
}

function addInto(total: Record<string, number>, more: Record<string, number>): Record<string, number> {
  for (const [k, n] of Object.entries(more)) total[k] = (total[k] ?? 0) + n;
  return total;
}

/** Bulk operations the run submitted, over its entities. */
export function operations(s: ShopSummary): number {
  return s.entities.reduce((a, e) => a + e.operations, 0);
}

export function summaryTable(result: JobResult): string {
  const lines: string[] = [];
  for (const s of result.shops) {
    lines.push(`${s.shop}  run ${s.runId}  ${s.status}  in ${(s.durationMs / 1000).toFixed(1)}s  (${plural(s.requests, 'API request')}, ${plural(s.retries, 'retry', 'retries')})`);
    if (s.error) lines.push(`  error ${s.error.code}: ${s.error.message}`);
    lines.push(`  output    ${s.dest}`);
    if (s.manifest) lines.push(`  manifest  ${s.manifest}`);
    if (s.entities.length) {
      lines.push(`  ${'entity'.padEnd(20)}${'status'.padEnd(13)}${'windows'.padStart(7)}  watermark`);
      for (const e of s.entities) {
        lines.push(`  ${e.entity.padEnd(20)}${e.status.padEnd(13)}${String(e.windows).padStart(7)}  ${e.watermark ?? '-'}`);
        if (e.error) lines.push(`    ${e.error.code}: ${e.error.message}`);
        if (e.note) lines.push(`    ${e.note}`);
      }
    }
    for (const c of s._quality?.checks ?? []) lines.push(`  quality   ${c.name}: ${c.failed === 0 ? 'pass' : `${c.failed} of ${c.checked} failed, e.g. ${JSON.stringify(c.examples[0])}`} (${plural(c.checked, 'checked', 'checked')}${c.skipped ? `, ${c.skipped} skipped: ${c.note ?? ''}` : ''})`);
    const rows = Object.entries(rowsByTable(s)).sort(([a], [b]) => a.localeCompare(b));
    const bytes = bytesByTable(s);
    if (rows.length) {
      const width = Math.max(5, ...rows.map(([table]) => table.length));
      lines.push(`  ${'table'.padEnd(width)}  ${'rows'.padStart(10)}  ${'size'.padStart(10)}`);
      for (const [table, n] of rows) lines.push(`  ${table.padEnd(width)}  ${String(n).padStart(10)}  ${formatBytes(bytes[table] ?? 0).padStart(10)}`);
    }
  }
  if (result.shops.length !== 1) {
    const failed = result.shops.filter((s) => s.status !== 'succeeded');
    lines.push(`${plural(result.shops.length, 'shop')}, ${result.shops.length - failed.length} succeeded${failed.length ? `; not succeeded: ${failed.map((s) => `${s.shop} (${s.status})`).join(', ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export function logSummary(logger: Logger, result: JobResult): void {
  for (const s of result.shops) {
    logger.info('run summary', {
      shop: s.shop,
      runId: s.runId,
      status: s.status,
      durationMs: s.durationMs,
      dest: s.dest,
      manifest: s.manifest,
      rowsByTable: rowsByTable(s),
      bytesByTable: bytesByTable(s),
      operations: operations(s),
      retries: s.retries,
      requests: s.requests,
      entities: s.entities.map((e) => ({ entity: e.entity, status: e.status, windows: e.windows, watermark: e.watermark, error: e.error, ...(e.note ? { note: e.note } : {}) })),
      ...(s._quality ? { _quality: s._quality } : {}),
      ...(s.error ? { error: s.error } : {}),
    });
  }
  const failed = result.shops.filter((s) => s.status !== 'succeeded');
  const line = failed.length ? logger.error : logger.info;
  line('job summary', {
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    shops: result.shops.map((s) => ({ shop: s.shop, runId: s.runId, status: s.status, ...(s.error ? { error: s.error.code } : {}) })),
    failedShops: failed.map((s) => s.shop),
    rowsByTable: result.shops.reduce<Record<string, number>>((t, s) => addInto(t, rowsByTable(s)), {}),
    bytesByTable: result.shops.reduce<Record<string, number>>((t, s) => addInto(t, bytesByTable(s)), {}),
    operations: result.shops.reduce((a, s) => a + operations(s), 0),
    retries: result.shops.reduce((a, s) => a + s.retries, 0),
    requests: result.shops.reduce((a, s) => a + s.requests, 0),
  });
}
