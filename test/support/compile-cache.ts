// Loaded first by mocha (.mocharc.json `require`). The suite starts Node hundreds of times (the CLI and
// the sandbox as child processes, worker threads per run) and each start compiles the same TypeScript
// modules again: half of a CLI start's CPU. Node's compile cache keeps the stripped and compiled code on
// disk, keyed by each file's content, so a changed file is compiled again. The variable passes it on to
// every child process and worker thread; node_modules/.cache is what a clean install starts without.
import { enableCompileCache } from 'node:module';
import { resolve } from 'node:path';

const dir = resolve(import.meta.dirname, '../../node_modules/.cache/node-compile-cache');
process.env.NODE_COMPILE_CACHE ??= dir;
enableCompileCache(process.env.NODE_COMPILE_CACHE);
