#!/usr/bin/env node
// shopify-bulk-etl: argv → Config → the chosen command; maps errors to exit codes (0 all committed,
// 1 some entity or shop failed, 2 bad configuration or usage, 3 state locked by another run, 130 on
// SIGINT and 143 on SIGTERM after state was persisted).
// First, before the rest loads: re-executes node with the V8 flags the job needs if it lacks them.
import './cli/node-flags.ts';
import { parseConfig, type Config, type StatusConfig } from './cli/config.ts';
import { EtlError, ErrorCodes, ExitCodes, interruptedBy, interruptExitCode, isConfigurationCode } from './errors/index.ts';
import { createLogger, logProcessWarnings, maskSecrets, type LogFormat, type Logger } from './report/log.ts';
import { LiveBlock } from './report/progress.ts';
import { runJob } from './sync/run.ts';
import { formatStatus, readStatus } from './report/status.ts';
import { logSummary, summaryTable } from './report/summary.ts';

async function main(args: string[]): Promise<number> {
  // Until the configuration is read, problems (and library warnings) are logged in the format the
  // flags or the environment ask for, else the default for where stderr goes.
  logProcessWarnings(createLogger({ format: requestedLogFormat(args), level: 'warn' }));
  let config: Config | null;
  try {
    config = await parseConfig(args);
  } catch (err) {
    fail(requestedLogFormat(args), err);
    return ExitCodes.CONFIG;
  }
  if (!config) return ExitCodes.OK;
  // On a terminal, a run shows live progress lines and prints its log lines above them.
  const live = config.command === 'run' && process.stderr.isTTY && config.log.format === 'pretty' ? new LiveBlock(process.stderr) : null;
  const logger = createLogger({ ...config.log, ...(live ? { stream: live.writable() } : {}) });
  logProcessWarnings(logger);
  if (config.ignoredEnv.length > 0) logger.warn(`ignoring ${config.ignoredEnv.join(', ')}: no flag of shopify-bulk-etl reads ${config.ignoredEnv.length === 1 ? 'it' : 'them'}`, { variables: config.ignoredEnv });
  switch (config.command) {
    case 'status':
      return status(config, logger);
    case 'run': {
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
      const result = await runJob(config, { logger, live, signal: controller.signal });
      // The table is for people; off a terminal every line is a log entry, so the summary is log lines.
      if (config.log.format === 'pretty') process.stdout.write(summaryTable(result));
      else logSummary(logger, result);
      return result.exitCode;
    }
  }
}

async function status(config: StatusConfig, logger: Logger): Promise<number> {
  const rows = await readStatus(config, logger);
  process.stdout.write(config.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStatus(rows));
  return ExitCodes.OK;
}

/** The log format asked for by --log-format or ETL_LOG_FORMAT, else pretty on a terminal and JSON off one. */
function requestedLogFormat(args: string[]): LogFormat {
  const i = args.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const value = i < 0 ? process.env.ETL_LOG_FORMAT : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  if (value === 'json' || value === 'pretty') return value;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/** Reports an error that ends the process before or outside a run: a plain line for people, else one ERROR log entry. */
function fail(format: LogFormat, err: unknown): void {
  const e = err as Partial<EtlError> | undefined;
  const message = e?.message ?? String(err);
  if (format === 'pretty') process.stderr.write(`shopify-bulk-etl: ${maskSecrets(message)}\n`);
  else createLogger({ format, level: 'error' }).error(message, { code: e?.code ?? ErrorCodes.INTERNAL });
}

// A top-level await: should every pending task ever settle without `main` finishing (a bug), Node
// exits with code 13 ("unfinished top-level await") instead of a misleading 0.
const args = process.argv.slice(2);
try {
  process.exitCode = await main(args);
} catch (err) {
  fail(requestedLogFormat(args), err);
  process.exitCode = isConfigurationCode((err as EtlError)?.code) ? ExitCodes.CONFIG : ExitCodes.PARTIAL_FAILURE;
}
