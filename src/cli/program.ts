// The program behind src/main.ts: argv → Config → the chosen command, and errors → exit codes (0 all
// committed, 1 some entity or shop failed, 2 bad configuration or usage, 3 every shop's state locked by
// another run, 130 on SIGINT and 143 on SIGTERM after state was persisted). It runs on import.
import { modelsCommand, reportCommand, reportFailure, runCommand, statusCommand, viewsCommand } from './commands.ts';
import { parseConfig, type Config } from './config.ts';
import { requestedLogFormat } from './env.ts';
import { EtlError, exitCodeOf, ExitCodes } from '../errors/index.ts';
import { createLogger, logProcessWarnings } from '../report/log.ts';

async function main(args: string[]): Promise<number> {
  // Until the configuration is read, problems (and library warnings) are logged in the format the
  // flags or the environment ask for, else the default for where stderr goes.
  logProcessWarnings(createLogger({ format: requestedFormat(args), level: 'warn' }));
  let config: Config | null;
  try {
    config = await parseConfig(args);
  } catch (err) {
    reportFailure(requestedFormat(args), err);
    return ExitCodes.CONFIG;
  }
  if (!config) return ExitCodes.OK;
  switch (config.command) {
    case 'run':
      return runCommand(config);
    case 'status':
      return statusCommand(config);
    case 'views':
      return viewsCommand(config);
    case 'report':
      return reportCommand(config);
    case 'models':
      return modelsCommand(config);
  }
}

function requestedFormat(args: string[]) {
  return requestedLogFormat(args, process.env, Boolean(process.stderr.isTTY));
}

// A top-level await: should every pending task ever settle without `main` finishing (a bug), Node
// exits with code 13 ("unfinished top-level await") instead of a misleading 0.
const args = process.argv.slice(2);
try {
  process.exitCode = await main(args);
} catch (err) {
  reportFailure(requestedFormat(args), err);
  // Before any shop ran: 2 when someone must change the configuration first (the policy table says so), else 1.
  process.exitCode = exitCodeOf(err instanceof EtlError ? err.code : undefined) === ExitCodes.CONFIG ? ExitCodes.CONFIG : ExitCodes.PARTIAL_FAILURE;
}
