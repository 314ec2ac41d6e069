// `shopify-bulk-etl report`: reads the states and the destination as `status` does (never taking a
// lock) and the model tables, renders the sections and writes the one HTML file, whole or not at all (a temporary file
// renamed into place), so a browser or a copy job never picks up half a report.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ReportConfig } from '../../cli/config.ts';
import { fromSystemError } from '../../errors/index.ts';
import { openDestination } from '../../load/index.ts';
import type { Logger } from '../log.ts';
import { modelsSection } from './charts.ts';
import { readModels } from './models-data.ts';
import { page } from './page.ts';
import { qualitySection } from './quality.ts';
import { readRuns } from './runs-data.ts';
import { freshnessSection, runsSection } from './runs.ts';

/** Writes the report where the config says; returns its path. */
export async function writeReport(config: ReportConfig, logger: Logger, now = new Date()): Promise<string> {
  const dest = await openDestination(config.dest, { gcsEndpoint: config.gcsEndpoint, logger });
  const shops = await readRuns(config, dest, logger);
  const models = await readModels(config.dest);
  const text = page('Shopify bulk ETL report', `${shops.map((s) => s.shop).join(', ') || 'no shop yet'} · ${config.dest} · written ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`, [
    // What a person looks for first: did the runs work and are the figures sound, then the figures, then
    // the long per-table list.
    { id: 'runs', title: 'Latest runs', body: runsSection(shops) },
    { id: 'quality', title: 'Quality checks', body: qualitySection(shops) },
    { id: 'models', title: 'Models', body: modelsSection(models) },
    { id: 'freshness', title: 'Data freshness', body: freshnessSection(shops, now) },
  ]);
  await writeWhole(config.out, text);
  logger.info('report written', { path: config.out, shops: shops.length });
  return config.out;
}

async function writeWhole(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw fromSystemError(err, `writing the report ${path}`);
  }
}
