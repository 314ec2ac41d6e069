// The run summary: what a person reads at the end (a table on stdout) and what a machine reads (one
// structured log line with rows per table, bytes, operations, retries and duration).
import type { Logger } from './log.ts';
import type { JobResult } from './run.ts';

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
      lines.push(`  ${'table'.padEnd(width)}  ${'rows'.padStart(10)}`);
      for (const r of rows.sort((a, b) => a.table.localeCompare(b.table))) lines.push(`  ${r.table.padEnd(width)}  ${String(r.n).padStart(10)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function logSummary(logger: Logger, result: JobResult): void {
  for (const s of result.shops) {
    const rows: Record<string, number> = {};
    for (const e of s.entities) for (const [t, n] of Object.entries(e.rowsByTable)) rows[t] = (rows[t] ?? 0) + n;
    logger.info('run summary', {
      shop: s.shop,
      runId: s.runId,
      status: s.status,
      durationMs: s.durationMs,
      rowsByTable: rows,
      operations: s.entities.reduce((a, e) => a + e.operations, 0),
      retries: s.retries,
      requests: s.requests,
      entities: s.entities.map((e) => ({ entity: e.entity, status: e.status, windows: e.windows, watermark: e.watermark, error: e.error })),
      ...(s.error ? { error: s.error } : {}),
    });
  }
}
