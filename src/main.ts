#!/usr/bin/env node
// shopify-bulk-etl's entry point. First, before anything else loads, node is re-executed with the V8
// flags the job needs if it lacks them (cli/node-flags.ts); only then is the program loaded
// (cli/program.ts: argv → command → exit code), so a launch that re-executes has not paid for
// loading every module twice.
import './cli/node-flags.ts';

await import('./cli/program.ts');
