// Runs the real CLI (src/main.ts under Node 24) as a child process, as a user or a container would.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
/** The same CLI with --pause-at, which stops a run at a checkpoint of the commit protocol (pausing-cli.ts). */
const PAUSING_MAIN = resolve(import.meta.dirname, 'pausing-cli.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A run's arguments with the suite's defaults, unless the test gives its own. --window: long enough
 * that a sandbox store's first run (its data spans a year from the shop's creation) is one window, as
 * most tests assume; the splitting by the default --window is tested on its own (test/e2e/backfill.test.ts).
 * --deletes-every off: the deletions stage adds operations and windows to every run, which most tests
 * count; its own tests (test/e2e/deletes*.test.ts) and the golden demo run it.
 */
export function withTestDefaults(args: string[]): string[] {
  if (args[0] === 'status' || args[0] === 'views' || args[0] === 'report' || args[0] === 'models') return args;
  return [...args, ...(args.includes('--window') ? [] : ['--window', '1000d']), ...(args.includes('--deletes-every') ? [] : ['--deletes-every', 'off'])];
}

/** Environment for the child: the parent's minus anything Shopify- or ETL-related, plus `env`. */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SHOPIFY_|ETL_|STORAGE_EMULATOR_HOST|GCS_ENDPOINT|CLOUD_RUN_|JOB_COMPLETION_INDEX)/.test(k)));
  return { ...base, ...env };
}

export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [args.includes('--pause-at') ? PAUSING_MAIN : MAIN, ...withTestDefaults(args)], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = startCli(args, env);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/**
 * Resolves with the first JSON log line on stderr that matches, or rejects if the process ends first
 * (on 'close': every line it wrote has been read by then).
 */
export function waitForLog(child: ChildProcess, match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // not a JSON log line
      }
      if (match(entry)) resolvePromise(entry);
    });
    child.once('close', (code) => reject(new Error(`process exited (${code}) before the expected log line`)));
  });
}

/**
 * Waits for the first log line that matches, then for `ready()` (a condition outside the process, such
 * as a part having reached the bucket), kills the process there with SIGKILL, and checks it died of it.
 */
export async function killAt(child: ChildProcess, match: (entry: Record<string, unknown>) => boolean, ready: () => boolean = () => true): Promise<void> {
  const done = collect(child);
  try {
    await waitForLog(child, match);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${(await done).stderr.slice(-800)}`);
  }
  while (!ready()) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  const { signal } = await done;
  if (signal !== 'SIGKILL') throw new Error(`expected the process to die of SIGKILL, it ended with ${String(signal)}`);
}
