#!/usr/bin/env node
// shopify-sandbox: starts the simulated shop and prints its URL, shop and token as one JSON line
// (see src/cli.ts for the flags, README.md for what the store simulates).
import { EXIT_USAGE, parseCli, USAGE, UsageError } from '../src/cli.ts';
import { startSandbox } from '../src/index.ts';

let cli;
try {
  cli = parseCli(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`shopify-sandbox: ${err.message}\n`);
  process.exit(EXIT_USAGE);
}
if (cli.help) {
  process.stdout.write(USAGE);
} else {
  const sandbox = await startSandbox(cli.options);
  // The token is the simulated store's own, not a secret: printing it is how a caller gets it.
  process.stdout.write(`${JSON.stringify({ severity: 'INFO', message: 'sandbox store', url: sandbox.url, shop: sandbox.shopDomain, token: sandbox.token })}\n`);
  process.stderr.write(`shopify-sandbox: listening at ${sandbox.url} as ${sandbox.shopDomain}; stop with Ctrl-C\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (cli.stopOnStdinEnd) process.stdin.once('end', resolve).once('close', resolve).resume();
  });
  await sandbox.close();
  // stdin may still hold the event loop open (a pipe nobody closed): the store is stopped, so go.
  process.exit(0);
}
