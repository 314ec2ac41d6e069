// Runs the job in-process against a sandbox, the way main.ts does, for component tests that need
// more control than a subprocess gives (changing the store between runs, reading state directly).
import { parseConfig, type RunConfig } from '../../src/cli/config.ts';
import type { Logger } from '../../src/report/log.ts';
import { silentLogger } from './log.ts';
import { runJob, type JobResult } from '../../src/sync/run.ts';
import type { Sandbox } from 'shopify-sandbox';
import { withTestDefaults } from './cli.ts';

export interface RunOptions {
  /** Where the run logs; silent by default. */
  logger?: Logger;
}

export async function runAgainst(sandbox: Sandbox, dir: string, args: string[] = [], options: RunOptions = {}): Promise<JobResult> {
  const config = await parseConfig(
    ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', `${dir}/out`, '--state', `${dir}/state.db`, '--poll-interval', '50ms', ...withTestDefaults(args)],
    { SHOPIFY_ACCESS_TOKEN: sandbox.token },
    false,
  );
  return runJob(config as RunConfig, { logger: options.logger ?? silentLogger, live: null, signal: new AbortController().signal });
}
