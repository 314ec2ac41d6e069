// `shopify-bulk-etl status`: what the sync state says, per shop and entity — watermark, last run and
// its outcome, bulk operations still open, and files waiting for upload.
import { EtlError, ErrorCodes } from './errors.ts';
import { StateDb, type StatusEntry } from './state/db.ts';

export function readStatus(path: string): StatusEntry[] {
  const db = StateDb.openReadOnly(path);
  if (!db) throw new EtlError(ErrorCodes.CONFIG_INVALID, `no state database at ${path}; pass the --state a run used (with --shops-file, each shop has state-<shop>.db)`);
  try {
    return db.statusReport();
  } finally {
    db.close();
  }
}

export function formatStatus(rows: StatusEntry[]): string {
  const header = ['shop', 'entity', 'watermark', 'last run', 'outcome', 'open operations', 'pending files'];
  const cells = rows.map((r) => [r.shop, r.entity, r.watermark ?? '-', r.last_run ?? '-', r.last_outcome ?? '-', r.open_operations ?? '-', String(r.pending_files)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const errors = rows.filter((r) => r.last_error).map((r) => `${r.shop} ${r.entity}: ${r.last_error}`);
  return [line(header), ...cells.map(line), ...(errors.length ? ['', 'last errors:', ...errors] : [])].join('\n') + '\n';
}
