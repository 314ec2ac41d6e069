// Measures the extraction against the built-in sandbox store, the way reviewers check the performance
// targets (README, Performance). The ETL runs as a child process (the real CLI, pointed at a sandbox
// served from this process), so its peak RSS is its own; timings come from its progress log lines.
//
//   npm run bench -- [--mb 500] [--mode orders|all] [--delay 3s] [--workers N] [--gzip-level 1]
//
// orders: one orders extraction with zero operation delay; prints processing rows/s and MB/s, the
//         child's peak RSS, and the ratio against a bare split + JSON.parse loop over the same file.
//         Then the same file four times through the pipeline alone, in this process (one worker pool,
//         no HTTP, nothing written): what the CLI adds on top, and what a cold start costs.
// all:    every entity, each operation taking at least --delay; prints the run's wall time against the
//         longest single operation plus its processing (what a perfectly overlapped run would take).
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { entityByName } from '../src/entities/index.ts';
import { processJsonl } from '../src/pipeline/process.ts';
import { WorkerPool } from '../src/pipeline/worker-pool.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '500' },
    mode: { type: 'string', default: 'orders' },
    delay: { type: 'string', default: '3000' },
    workers: { type: 'string' },
    'gzip-level': { type: 'string' },
  },
});
// The sandbox's orders JSONL, children included, is about this many bytes per order.
const BYTES_PER_ORDER = 5_700;
const mode = args.mode === 'all' ? 'all' : 'orders';
const orders = Math.max(1, Math.round((Number(args.mb) * 1e6) / BYTES_PER_ORDER));
const delayMs = mode === 'all' ? Number(args.delay) : 0;
interface ChildRun {
  wallMs: number;
  maxRssKb: number;
  /** User + system CPU of the whole child process (every thread), ms. */
  cpuMs: number;
  exitCode: number | null;
  /** Per entity: when streaming started and when the last part closed (ms since the epoch), and rows. */
  entities: Map<string, { streamingAt?: number; closedAt?: number; rows?: number }>;
}

/** The node flags the image's ENTRYPOINT runs the CLI with (`node [flags…] /app/dist/main.js`), so the bench measures what ships. */
function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const line = dockerfile.split('\n').findLast((l) => l.startsWith('ENTRYPOINT '));
  const command = JSON.parse(line?.slice('ENTRYPOINT '.length) ?? '[]') as string[];
  const node = command.indexOf('node');
  return node === -1 ? [] : command.slice(node + 1).filter((arg) => arg.startsWith('-'));
}

function runEtl(sandbox: Sandbox, dir: string, entities: string): Promise<ChildRun> {
  const argv = [
    ...imageNodeFlags(),
    // The child reports its own peak RSS as it exits: resourceUsage() covers every thread of the process.
    '--import', `data:text/javascript,${encodeURIComponent('import { writeSync } from "node:fs"; process.on("exit", () => { const u = process.resourceUsage(); writeSync(2, JSON.stringify({ benchMaxRssKb: u.maxRSS, benchCpuUs: u.userCPUTime + u.systemCPUTime }) + "\\n"); });')}`,
    'dist/main.js', 'run', '--admin-url', sandbox.url, '--shop', sandbox.shopDomain, '--entities', entities,
    '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '100ms', '--max-poll-interval', '200ms',
    // One operation per entity, the file the figures are about: a first run is otherwise split into
    // 30-day windows from the shop's creation, and the bench would time only the first slice.
    '--window', '100000d',
    ...(args.workers ? ['--workers', args.workers] : []),
    ...(args['gzip-level'] ? ['--gzip-level', args['gzip-level']] : []),
  ];
  const started = Date.now();
  const child = spawn(process.execPath, argv, { cwd: new URL('..', import.meta.url), env: { ...process.env, SHOPIFY_ACCESS_TOKEN: sandbox.token }, stdio: ['ignore', 'ignore', 'pipe'] });
  const run: ChildRun = { wallMs: 0, maxRssKb: 0, cpuMs: 0, exitCode: null, entities: new Map() };
  let rest = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stderr.write(`${line}\n`);
        continue;
      }
      if (typeof entry.benchMaxRssKb === 'number') run.maxRssKb = entry.benchMaxRssKb;
      if (typeof entry.benchCpuUs === 'number') run.cpuMs = entry.benchCpuUs / 1000;
      if (entry.severity === 'ERROR') process.stderr.write(`${line}\n`);
      if (entry.message !== 'progress' || typeof entry.entity !== 'string') continue;
      const e = run.entities.get(entry.entity) ?? {};
      const at = Date.parse(String(entry.time));
      if (entry.phase === 'streaming') e.streamingAt ??= at;
      if (entry.phase === 'uploading') {
        e.closedAt ??= at;
        e.rows = Number(entry.rows);
      }
      run.entities.set(entry.entity, e);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      run.wallMs = Date.now() - started;
      run.exitCode = code;
      resolve(run);
    });
  });
}

/** The project's bare loop (as in scripts/compare-parsers.ts): split + JSON.parse, nothing else. */
async function bareLoop(file: string): Promise<number> {
  const t = performance.now();
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) JSON.parse(line);
  }
  if (rest) JSON.parse(rest);
  return performance.now() - t;
}

/** The orders pipeline alone over `file`, `runs` times with one pool (the first run starts it cold); ms per run. */
async function pipelineAlone(file: string, runs: number): Promise<number[]> {
  const pool = new WorkerPool(args.workers ? Number(args.workers) : availableParallelism());
  const meta = { shop: 'bench.myshopify.com', runId: 'bench', extractedAt: new Date(), currency: 'USD' };
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await processJsonl(entityByName('orders'), createReadStream(file), { write: () => undefined }, meta, { pool, gzipLevel: Number(args['gzip-level'] ?? 1) });
      times.push(performance.now() - t);
    }
  } finally {
    await pool.close();
  }
  return times;
}

async function largestResult(dir: string): Promise<{ path: string; bytes: number }> {
  const sizes = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.jsonl')).map(async (f) => ({ path: join(dir, f), bytes: (await stat(join(dir, f))).size })));
  return sizes.sort((a, b) => b.bytes - a.bytes)[0]!;
}

async function gzBytes(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ndjson.gz'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const dir = await mkdtemp(join(tmpdir(), 'bench-'));
const sandbox = await startSandbox({ size: { orders }, operationDelayMs: delayMs, dataDir: join(dir, 'sandbox') });
try {
  console.log(`bench: mode ${mode}, ${orders} orders (~${args.mb} MB of orders JSONL)${mode === 'all' ? `, operations take at least ${delayMs} ms` : ''}`);
  const run = await runEtl(sandbox, dir, mode === 'all' ? 'orders,products,customers,inventory,locations,collections,product_metafields,shop' : 'orders');
  if (run.exitCode !== 0) throw new Error(`the ETL exited with code ${run.exitCode}`);
  const file = await largestResult(join(dir, 'sandbox'));
  const o = run.entities.get('orders')!;
  const processMs = o.closedAt! - o.streamingAt!;
  console.log(`orders file           ${(file.bytes / 1e6).toFixed(0)} MB, ${o.rows} rows`);
  console.log(`orders processing     ${s(processMs)}  ${Math.round(o.rows! / (processMs / 1000))} rows/s  ${(file.bytes / 1e6 / (processMs / 1000)).toFixed(0)} MB/s  (download → parse → transform → gzip → part files closed)`);
  console.log(`peak RSS of the ETL   ${mib(run.maxRssKb)}  (target ≤ 256 MiB; the child's maxRSS, every thread)`);
  console.log(`CPU of the ETL        ${s(run.cpuMs)} user+system over the whole run (${s(run.wallMs)} wall, startup and polling included)`);
  console.log(`part files            ${((await gzBytes(join(dir, 'out'))) / 1e6).toFixed(1)} MB gzipped (all tables)`);
  if (mode === 'orders') {
    // Three times, and the median: a shared machine's speed drifts by ±20% from one minute to the next.
    const bares = [await bareLoop(file.path), await bareLoop(file.path), await bareLoop(file.path)].sort((a, b) => a - b);
    const bareMs = bares[1]!;
    console.log(`bare split+JSON.parse ${s(bareMs)}  ${(file.bytes / 1e6 / (bareMs / 1000)).toFixed(0)} MB/s  (median of ${bares.map(s).join(', ')})`);
    console.log(`ratio                 ${(bareMs / processMs).toFixed(2)}  (bare loop time / pipeline time; target ≥ 0.90)`);
    const alone = await pipelineAlone(file.path, 4);
    const warm = Math.min(...alone.slice(1));
    console.log(`pipeline alone        ${alone.map(s).join(', ')}  (this process, no HTTP, nothing written; the first starts cold)`);
    console.log(`  its ratio           ${(bareMs / alone[0]!).toFixed(2)} cold, ${(bareMs / warm).toFixed(2)} warm (best of the later three)`);
  } else {
    const ops = sandbox.operations().filter((op) => op.completedAt !== null);
    const durations = ops.map((op) => ({ op, ms: op.completedAt!.getTime() - op.createdAt.getTime() }));
    const longest = durations.sort((a, b) => b.ms - a.ms)[0]!;
    const ideal = longest.ms + processMs;
    for (const [name, e] of run.entities) if (e.closedAt && e.streamingAt) console.log(`  ${name.padEnd(20)} processing ${s(e.closedAt - e.streamingAt)}, ${e.rows} rows`);
    console.log(`operations            ${ops.length}; longest ${s(longest.ms)} (${longest.op.objectCount} objects), shortest ${s(durations.at(-1)!.ms)}`);
    console.log(`longest op + its processing ${s(ideal)}`);
    console.log(`whole run (wall)      ${s(run.wallMs)}  ratio ${(run.wallMs / ideal).toFixed(2)}  (target ≤ 1.20)`);
  }
} finally {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
}
