// The run summary: what a person reads at the end (a table on stdout) and what a machine reads (a
// structured log line per shop, then one final 'job summary' line with rows and bytes per table,
// operations, retries, duration and the shops that failed — the line to alert on in Cloud Logging).
import type { Logger } from './log.ts';
import type { JobResult, ShopSummary } from './run.ts';

function rowsByTable(s: ShopSummary): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const e of s.entities) for (const [t, n] of Object.entries(e.rowsByTable)) rows[t] = (rows[t] ?? 0) + n;
  return rows;
}

function addInto(total: Record<string, number>, more: Record<string, number>): Record<string, number> {
  for (const [k, n] of Object.entries(more)) total[k] = (total[k] ?? 0) + n;
  return total;
}

function operations(s: ShopSummary): number {
  return s.entities.reduce((a, e) => a + e.operations, 0);
}

export function summaryTable(result: JobResult): string {
  const lines: string[] = [];
  for (const s of result.shops) {
    lines.push(`${s.shop}  run ${s.runId}  ${s.status}  in ${(s.durationMs / 1000).toFixed(1)}s  (${s.requests} API requests, ${s.retries} retries)`);
    if (s.error) lines.push(`  error ${s.error.code}: ${s.error.message}`);
    const rows = s.entities.flatMap((e) => Object.entries(e.rowsByTable).map(([table, n]) => ({ entity: e.entity, table, n })));
    const width = Math.max(5, ...rows.map((r) => r.table.length));
    if (s.entities.length) {
      lines.push(`  ${'entity'.padEnd(20)}${'status'.padEnd(13)}${'windows'.padStart(7)}  watermark`);
      for (const e of s.entities) {
        lines.push(`  ${e.entity.padEnd(20)}${e.status.padEnd(13)}${String(e.windows).padStart(7)}  ${e.watermark ?? '-'}`);
        if (e.error) lines.push(`    ${e.error.code}: ${e.error.message}`);
      }
    }
    if (rows.length) {
      lines.push(`  ${'table'.padEnd(width)}  ${'rows'.padStart(10)}  ${'bytes'.padStart(12)}`);
      for (const r of rows.sort((a, b) => a.table.localeCompare(b.table))) lines.push(`  ${r.table.padEnd(width)}  ${String(r.n).padStart(10)}  ${String(s.bytesByTable[r.table] ?? 0).padStart(12)}`);
    }
  }
  if (result.shops.length !== 1) {
    const failed = result.shops.filter((s) => s.status !== 'succeeded');
    lines.push(`${result.shops.length} shops, ${result.shops.length - failed.length} succeeded${failed.length ? `; not succeeded: ${failed.map((s) => `${s.shop} (${s.status})`).join(', ')}` : ''}`);
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
      rowsByTable: rowsByTable(s),
      bytesByTable: s.bytesByTable,
      operations: operations(s),
      retries: s.retries,
      requests: s.requests,
      entities: s.entities.map((e) => ({ entity: e.entity, status: e.status, windows: e.windows, watermark: e.watermark, error: e.error })),
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
    bytesByTable: result.shops.reduce<Record<string, number>>((t, s) => addInto(t, s.bytesByTable), {}),
    operations: result.shops.reduce((a, s) => a + operations(s), 0),
    retries: result.shops.reduce((a, s) => a + s.retries, 0),
    requests: result.shops.reduce((a, s) => a + s.requests, 0),
  });
}
