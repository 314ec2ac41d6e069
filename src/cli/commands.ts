// The commands, each given its validated Config: `run` (the sync stage under SIGTERM/SIGINT handling,
// then the summary, then the models when asked), `status` (the state's report on stdout), `views` (SQL
// on stdout), `report` (an HTML file, its path on stdout) and `models` (files under <dest>/_models/,
// their paths on stdout), each logging where its Config says,
// first a warning about ETL_* variables that no flag reads; and how an error that ends the process is
// reported.
import { ErrorCodes, ExitCodes, interruptedBy, interruptExitCode } from '../errors/index.ts';
import { createLogger, logProcessWarnings, maskSecrets, type LogFormat, type Logger } from '../report/log.ts';
import { LiveBlock } from '../report/progress.ts';
import { writeReport } from '../report/html/index.ts';
import { formatStatus, readStatus } from '../report/status.ts';
import { logSummary, summaryTable } from '../report/summary.ts';
import type { SyncHooks } from '../sync/hooks.ts';
import { runJob } from '../sync/run.ts';
import { destinationViews } from '../views/index.ts';
import { writeModels } from '../models/index.ts';
import { readShopStates } from '../views/state.ts';
import type { Config, ModelsConfig, ReportConfig, RunConfig, StatusConfig, ViewsConfig } from './config.ts';

function commandLogger(config: Config, live: LiveBlock | null): Logger {
  const logger = createLogger({ ...config.log, ...(live ? { stream: live.writable() } : {}) });
  logProcessWarnings(logger);
  const ignored = config.ignoredEnv;
  if (ignored.length > 0) logger.warn(`ignoring ${ignored.join(', ')}: no flag of shopify-bulk-etl reads ${ignored.length === 1 ? 'it' : 'them'}`, { variables: ignored });
  return logger;
}

/** `hooks`: only test/support/pausing-cli.ts passes any (the crash-safety tests' checkpoints). */
export async function runCommand(config: RunConfig, hooks: SyncHooks = {}): Promise<number> {
  // On a terminal, a run shows live progress lines and prints its log lines above them.
  const live = process.stderr.isTTY && config.log.format === 'pretty' ? new LiveBlock(process.stderr) : null;
  const logger = commandLogger(config, live);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    logger.warn(`${signal} received: no new operations; finishing cleanly within ${config.graceMs} ms`);
    // The reason names the signal, so the run's result (and its exit code) knows which one stopped it.
    controller.abort(interruptedBy(signal));
    // Past the grace period the platform kills us anyway; leave on our own terms with state as persisted.
    setTimeout(() => process.exit(interruptExitCode(controller.signal.reason)), config.graceMs).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const result = await runJob(config, { logger, live, signal: controller.signal, hooks });
  // The table is for people; off a terminal every line is a log entry, so the summary is log lines.
  if (config.log.format === 'pretty') process.stdout.write(summaryTable(result));
  else logSummary(logger, result);
  // Models over what some shop committed; a run that committed nothing has nothing new to model.
  if (!config.models || config.dryRun || (result.exitCode !== ExitCodes.OK && result.exitCode !== ExitCodes.PARTIAL_FAILURE)) return result.exitCode;
  try {
    await models({ dest: config.dest, params: config.models, targets: config.shops.map((s) => ({ shop: s.shop, state: s.state })), gcsEndpoint: config.gcsEndpoint }, logger, config.log.format);
    return result.exitCode;
  } catch (err) {
    // The run's data is committed and stays; the models are what failed, and the exit code says so.
    logger.error(`models: ${err instanceof Error ? err.message : String(err)}`, { code: err instanceof Error && 'code' in err ? err.code : ErrorCodes.INTERNAL });
    return ExitCodes.PARTIAL_FAILURE;
  }
}

async function models(config: Pick<ModelsConfig, 'dest' | 'params' | 'targets' | 'gcsEndpoint'>, logger: Logger, format: LogFormat): Promise<void> {
  const { dest } = config;
  const states = await readShopStates(config, logger);
  const written = await writeModels({ dest, params: config.params, states }, logger);
  // Which runs the figures are of: each shop's last, as its state records it.
  const runs = states.map((s) => ({ shop: s.shop, lastRun: s.lastRun?.runId ?? null, lastRunStatus: s.lastRun?.status ?? null, finishedAt: s.lastRun?.finishedAt ?? null, state: s.state }));
  const ran = (r: (typeof runs)[number]): string => (r.lastRun === null ? `${r.shop}: no run yet in ${r.state}` : `${r.shop}: last run ${r.lastRun} (${r.lastRunStatus}${r.finishedAt ? `, finished ${r.finishedAt}` : ''})`);
  // As the run's summary: a table for people, else a log entry per file.
  if (format === 'pretty') {
    process.stdout.write(`models written (${written.length}) under ${dest}/_models/:\n${written.map((w) => `  ${w.model.padEnd(24)} ${String(w.rows).padStart(7)} rows  ${w.path}\n`).join('')}${runs.map((r) => `  ${ran(r)}\n`).join('')}`);
  } else {
    for (const w of written) logger.info(`model ${w.model}: ${w.rows} rows → ${w.path}`, { model: w.model, rows: w.rows, path: w.path });
    for (const r of runs) logger.info(`models over ${ran(r)}`, r);
  }
}

export async function modelsCommand(config: ModelsConfig): Promise<number> {
  await models(config, commandLogger(config, null), config.log.format);
  return ExitCodes.OK;
}

export async function statusCommand(config: StatusConfig): Promise<number> {
  const rows = await readStatus(config, commandLogger(config, null));
  process.stdout.write(config.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStatus(rows));
  return ExitCodes.OK;
}

export async function viewsCommand(config: ViewsConfig): Promise<number> {
  const logger = commandLogger(config, null);
  process.stdout.write(await destinationViews(config, logger));
  return ExitCodes.OK;
}

export async function reportCommand(config: ReportConfig): Promise<number> {
  const logger = commandLogger(config, null);
  const written = await writeReport(config, logger);
  // The path alone on stdout, for a script (or the demo) to open or copy.
  process.stdout.write(`${written}\n`);
  return ExitCodes.OK;
}

/** Reports an error that ends the process before or outside a run: a plain line for people, else one ERROR log entry. */
export function reportFailure(format: LogFormat, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  // An EtlError's code, or a system error's (ENOSPC, EACCES) that no layer wrapped.
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : ErrorCodes.INTERNAL;
  if (format === 'pretty') process.stderr.write(`shopify-bulk-etl: ${maskSecrets(message)}\n`);
  else createLogger({ format, level: 'error' }).error(message, { code });
}
