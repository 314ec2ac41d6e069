// `shopify-bulk-etl views`: the current-state SQL for one destination. The SQL names the destination's
// paths, and the part files its runs' --state has not committed (state.ts), so it is printed for the
// --dest and --state given rather than kept as files in the repository.
import type { ViewsConfig } from '../cli/config.ts';
import { deletionsTable } from '../entities/deletions.ts';
import { entities } from '../entities/index.ts';
import { ErrorCodes, EtlError } from '../errors/index.ts';
import { openDestination } from '../load/index.ts';
import { manifestShop } from '../load/layout.ts';
import type { Logger } from '../report/log.ts';
import { viewStatements } from './sql.ts';
import { readShopStates, warnUnheld, warnWithheld, withheldFiles, type ShopState } from './state.ts';

export { viewsSql, viewStatements } from './sql.ts';

/** The views of `dest` without the files its states have not committed, which the log names: the SQL lists them, so it is printed again once their rerun commits them. */
export async function destinationViews(config: Pick<ViewsConfig, 'dialect' | 'dest' | 'dataset' | 'gcsEndpoint' | 'targets'>, logger: Logger): Promise<string> {
  const states = await readShopStates(config, logger);
  for (const s of states) warnWithheld(s, 'the views until they are printed again after that rerun', logger);
  return `${(await destinationViewStatements({ ...config, states }, logger)).join(';\n\n')};\n`;
}

/**
 * The statements of destinationViews, each creating one view (or table), after those it reads, less
 * the files the `states` have not committed; the shops of the destination none of them holds are named.
 */
export async function destinationViewStatements(config: Pick<ViewsConfig, 'dialect' | 'dest' | 'dataset' | 'gcsEndpoint'> & { states: readonly ShopState[] }, logger: Pick<Logger, 'warn'>): Promise<string[]> {
  const dest = await openDestination(config.dest, { gcsEndpoint: config.gcsEndpoint, logger });
  // Both dialects read the manifests: before any run published one there is nothing to read.
  const manifests = await dest.list('_manifests/');
  if (manifests.length === 0) {
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `${config.dest} holds no run manifest (_manifests/): run the ETL into it first`);
  }
  warnUnheld(config.states, manifests.flatMap((n) => manifestShop(n) ?? []), logger);
  // Which tables have parts of which format (--format): a reader whose files match nothing fails every
  // query (a BigQuery external table, DuckDB's read_parquet), so such a table is read as empty, or for
  // NDJSON in DuckDB through one glob over every table's parts, until the views are made again.
  const tables = [...entities.flatMap((e) => e.tables.map((t) => t.name)), deletionsTable.def.name];
  const absent = new Set<string>();
  const parquet = new Set<string>();
  for (const table of tables) {
    const names = await dest.list(`${table}/`);
    if (!names.some((n) => n.endsWith('.ndjson.gz'))) absent.add(table);
    if (names.some((n) => n.endsWith('.parquet'))) parquet.add(table);
  }
  const withheld = withheldFiles(config.states);
  if (config.dialect === 'duckdb') return viewStatements('duckdb', { dest: config.dest, parquet, ndjson: absent.size < tables.length || parquet.size === 0, withheld });
  const none = [...absent].filter((t) => !parquet.has(t));
  if (none.length > 0) logger.warn(`no files yet for ${none.join(', ')}: their views read as empty until this command runs again`, { tables: none });
  return viewStatements('bigquery', { dest: config.dest, dataset: config.dataset, absent, parquet, withheld });
}
