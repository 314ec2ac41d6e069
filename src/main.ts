#!/usr/bin/env node
// shopify-bulk-etl: argv → Config → the chosen command; maps errors to exit codes (0 all committed,
// 1 some entity or shop failed, 2 bad configuration or usage, 3 state locked by another run, 130 on
// SIGINT and 143 on SIGTERM after state was persisted).
import { parseConfig, type Config, type StatusConfig } from './config.ts';
import { EtlError, ErrorCodes, ExitCodes } from './errors.ts';
import { createLogger, maskSecrets, type Logger } from './log.ts';
import { LiveBlock } from './progress.ts';
import { runJob } from './run.ts';
import { formatStatus, readStatus } from './status.ts';
import { logSummary, summaryTable } from './summary.ts';

async function main(args: string[]): Promise<number> {
  let config: Config | null;
  try {
    config = await parseConfig(args);
  } catch (err) {
    process.stderr.write(`shopify-bulk-etl: ${maskSecrets((err as Error).message)}\n`);
    return ExitCodes.CONFIG;
  }
  if (!config) return ExitCodes.OK;
  // On a terminal, a run shows live progress lines and prints its log lines above them.
  const live = config.command === 'run' && process.stderr.isTTY && config.log.format === 'pretty' ? new LiveBlock(process.stderr) : null;
  const logger = createLogger({ ...config.log, ...(live ? { stream: live.writable() } : {}) });
  switch (config.command) {
    case 'status':
      return status(config, logger);
    case 'sandbox': {
      const { faults: specs, ...options } = config.sandbox;
      const { startSandbox, parseFaultSpec } = await import('./sandbox/index.ts');
      const sandbox = await startSandbox({ ...options, faults: Object.assign({}, ...specs.map(parseFaultSpec)) });
      process.stdout.write(`${JSON.stringify({ url: sandbox.url, shop: sandbox.shopDomain, token: sandbox.token })}\n`);
      logger.info('sandbox store listening; stop with Ctrl-C', { url: sandbox.url, shop: sandbox.shopDomain });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sandbox.close();
      return ExitCodes.OK;
    }
    case 'run': {
      const controller = new AbortController();
      let received: NodeJS.Signals | null = null;
      const exitFor = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? ExitCodes.SIGINT : ExitCodes.SIGTERM);
      const onSignal = (signal: NodeJS.Signals): void => {
        if (controller.signal.aborted) return;
        received = signal;
        logger.warn(`${signal} received: no new operations; finishing cleanly within ${config.graceMs} ms`);
        controller.abort(new EtlError(ErrorCodes.INTERRUPTED, `interrupted by ${signal}`));
        // Past the grace period the platform kills us anyway; leave on our own terms with state as persisted.
        setTimeout(() => process.exit(exitFor(signal)), config.graceMs).unref();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      const result = await runJob(config, { logger, live, signal: controller.signal });
      process.stdout.write(summaryTable(result));
      // The table is for people; the summary log lines are for Cloud Logging and other machines.
      if (config.log.format === 'json') logSummary(logger, result);
      return received ? exitFor(received) : result.exitCode;
    }
  }
}

async function status(config: StatusConfig, logger: Logger): Promise<number> {
  const rows = await readStatus(config, logger);
  process.stdout.write(config.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStatus(rows));
  return ExitCodes.OK;
}

// A top-level await: should every pending task ever settle without `main` finishing (a bug), Node
// exits with code 13 ("unfinished top-level await") instead of a misleading 0.
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const e = err as EtlError;
  process.stderr.write(`shopify-bulk-etl: ${maskSecrets(e?.message ?? String(err))}\n`);
  process.exitCode = e?.code === ErrorCodes.CONFIG_INVALID ? ExitCodes.CONFIG : ExitCodes.PARTIAL_FAILURE;
}
