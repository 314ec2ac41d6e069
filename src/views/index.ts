// `shopify-bulk-etl views`: the current-state SQL for one destination. The SQL names the destination's
// paths, so it is printed for the --dest given rather than kept as files in the repository.
import type { ViewsConfig } from '../cli/config.ts';
import { deletionsTable } from '../entities/deletions.ts';
import { entities } from '../entities/index.ts';
import { ErrorCodes, EtlError } from '../errors/index.ts';
import { openDestination } from '../load/index.ts';
import type { Logger } from '../report/log.ts';
import { viewsSql } from './sql.ts';

export { viewsSql, viewStatements } from './sql.ts';

export async function destinationViews(config: Pick<ViewsConfig, 'dialect' | 'dest' | 'dataset' | 'gcsEndpoint'>, logger: Pick<Logger, 'warn'>): Promise<string> {
  const dest = await openDestination(config.dest, { gcsEndpoint: config.gcsEndpoint, logger });
  // Both dialects read the manifests: before any run published one there is nothing to read.
  if ((await dest.list('_manifests/')).length === 0) {
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `${config.dest} holds no run manifest (_manifests/): run the ETL into it first`);
  }
  if (config.dialect === 'duckdb') return viewsSql('duckdb', { dest: config.dest });
  // A BigQuery external table whose URIs match no file fails every query that reads it: such a table
  // (one whose entity was never run, deletions before the first) is read as empty until the views are made again.
  const tables = [...entities.flatMap((e) => e.tables.map((t) => t.name)), deletionsTable.def.name];
  const absent = new Set<string>();
  for (const table of tables) if ((await dest.list(`${table}/`)).length === 0) absent.add(table);
  if (absent.size > 0) logger.warn(`no files yet for ${[...absent].join(', ')}: their views read as empty until this command runs again`, { tables: [...absent] });
  return viewsSql('bigquery', { dest: config.dest, dataset: config.dataset, absent });
}
