// Measures the extraction against the sandbox store, the way reviewers check the performance targets
// (README, Performance). The ETL runs as a user runs it, `node dist/main.js run …` (the package's bin,
// no extra node flag: the program sets its own), pointed at a sandbox served from this process;
// timings come from its progress log lines, memory and CPU from outside (scripts/measure-process.ts).
//
//   npm run bench -- [--mb 500[,1000…]] [--shape sandbox,ascii] [--profile] [--mode orders|all] [--delay 3s] [--workers N] [--gzip-level 1] [--format parquet]
//
// orders: per size and data shape, three ETL runs alternating with three runs of the bare split +
//         JSON.parse loop in a fresh process (scripts/bare-loop.ts, node's default flags): the ratio is
//         the medians'; and with three of the two-core floor (scripts/two-core-floor.ts), the distance
//         to the hardware. The shapes: `sandbox`, the store's orders as it writes them (names and
//         addresses in many scripts: nearly every MiB holds a non-ASCII letter), and `ascii`, the same
//         file with every byte over 0x7F replaced by `x` (same lines, same size, the text of a shop
//         whose customers write ASCII), on which the bare loop is fastest. At the largest size, the
//         first shape runs once more through every launch form (npx, the npm script, the image's
//         ENTRYPOINT as replayed) for each form's peak RSS. Each ETL run also prints the CPU its kinds
//         of thread spent in the processing window (workers, main thread, and V8's background threads,
//         which a --cpu-prof profile does not show: optimising compiles, a one-time cost, and concurrent
//         GC). --profile adds one run per shape under `node --cpu-prof` and prints where the workers
//         spent their busy time (scripts/profile-summary.ts).
//         --format parquet: the ETL writes Parquet, and each run is followed by DuckDB writing Parquet
//         from the same files in a fresh process (scripts/duckdb-parquet.ts): throughput, peak RSS and
//         size side by side. DuckDB writes one file per query (every line, its detected types), the ETL
//         every table of the entity, flattened and typed by its spec.
// all:    every entity, each operation taking at least --delay; prints the run's wall time against the
//         longest single operation plus its processing (what a perfectly overlapped run would take).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../src/entities/index.ts';
import { gzipEngine } from '../src/pipeline/segment.ts';
import { measure, type Measured, type ProcessPeak } from './measure-process.ts';
import { summarizeProfiles } from './profile-summary.ts';

const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '500' },
    shape: { type: 'string', default: 'sandbox,ascii' },
    profile: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'orders' },
    delay: { type: 'string', default: '3000' },
    workers: { type: 'string' },
    'gzip-level': { type: 'string' },
    format: { type: 'string', default: 'ndjson' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
// The sandbox's orders JSONL, children and both of the entity's queries included, is about this many bytes per order.
const BYTES_PER_ORDER = 6_740;
const mode = args.mode === 'all' ? 'all' : 'orders';
const sizesMb = args.mb.split(',').map(Number);
const SHAPES = ['sandbox', 'ascii'] as const;
type Shape = (typeof SHAPES)[number];
const shapes = args.shape.split(',').map((name) => {
  if (!(SHAPES as readonly string[]).includes(name)) throw new Error(`--shape: ${name} is none of ${SHAPES.join(', ')}`);
  return name as Shape;
});
const delayMs = mode === 'all' ? Number(args.delay) : 0;
const RUNS = 3;
if (args.format !== 'ndjson' && args.format !== 'parquet') throw new Error(`--format: ${args.format} is neither ndjson nor parquet`);
const parquet = args.format === 'parquet';

interface EtlRun extends Measured {
  form: string;
  /** The ETL process's own peak RSS (its VmHWM), KiB. */
  etlHwmKb: number;
  /** Per entity: when streaming started and when the last part closed (ms since the epoch), and rows. */
  entities: Map<string, { streamingAt?: number; closedAt?: number; rows?: number }>;
  /** The CPU each kind of thread spent between the first entity's streaming and its parts closing, ms (measure-process.ts, threadCpu). */
  windowCpu: Record<string, number>;
  /** The CPU this process spent in that window, ms: the sandbox serving the files (on the same cores as the ETL) and the measuring. */
  serverWindowCpu: number;
}

/**
 * How a user may start the CLI; each a command before the CLI's own arguments. The image's ENTRYPOINT
 * is replayed from the Dockerfile, minus tini, with /app/ standing for the project folder.
 */
function launchForms(): Array<{ form: string; command: string; args: string[] }> {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const entrypoint = JSON.parse(dockerfile.split('\n').findLast((l) => l.startsWith('ENTRYPOINT '))!.slice('ENTRYPOINT '.length)) as string[];
  const image = entrypoint.slice(entrypoint.indexOf('node')).map((a) => a.replace(/^\/app\//, root));
  return [
    { form: 'bin: node dist/main.js', command: process.execPath, args: ['dist/main.js'] },
    { form: 'npx shopify-bulk-etl', command: 'npx', args: ['--no-install', 'shopify-bulk-etl'] },
    { form: 'npm start --', command: 'npm', args: ['start', '--silent', '--'] },
    { form: `image: ${entrypoint.filter((a) => a !== '/usr/bin/tini' && a !== '--').join(' ')}`, command: image[0] === 'node' ? process.execPath : image[0]!, args: image.slice(1) },
  ];
}

async function runEtl(sandbox: Sandbox, dir: string, entityNames: string, launch = launchForms()[0]!): Promise<EtlRun> {
  const cli = [
    'run', '--admin-url', sandbox.url, '--shop', sandbox.shopDomain, '--entities', entityNames,
    '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '100ms', '--max-poll-interval', '200ms',
    // One operation per entity, the file the figures are about: a first run is otherwise split into
    // 30-day windows from the shop's creation, and the bench would time only the first slice.
    '--window', '100000d',
    // The orders mode times the orders entity's own operations, so no deletions stage runs after them.
    ...(mode === 'orders' ? ['--deletes-every', 'off'] : []),
    ...(args.workers ? ['--workers', args.workers] : []),
    ...(args['gzip-level'] ? ['--gzip-level', args['gzip-level']] : []),
    '--format', args.format,
  ];
  const perEntity: EtlRun['entities'] = new Map();
  let cpuAtStreaming: { entity: string; cpu: Record<string, number>; server: NodeJS.CpuUsage } | null = null;
  const windowCpu: Record<string, number> = {};
  let serverWindowCpu = NaN;
  const measured = await measure(launch.command, [...launch.args, ...cli], {
    cwd: root,
    env: { ...process.env, SHOPIFY_ACCESS_TOKEN: sandbox.token },
    onStderrLine: (line, threads) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stderr.write(`${line}\n`);
        return;
      }
      if (entry.severity === 'ERROR') process.stderr.write(`${line}\n`);
      if (entry.message !== 'progress' || typeof entry.entity !== 'string') return;
      const e = perEntity.get(entry.entity) ?? {};
      const at = Date.parse(String(entry.time));
      if (entry.phase === 'streaming' && e.streamingAt === undefined) {
        e.streamingAt = at;
        // The first entity's processing window (the orders mode's only one).
        if (!cpuAtStreaming) cpuAtStreaming = { entity: entry.entity, cpu: threads(), server: process.cpuUsage() };
      }
      if (entry.phase === 'uploading') {
        if (e.closedAt === undefined && cpuAtStreaming?.entity === entry.entity) {
          for (const [name, ms] of Object.entries(threads())) windowCpu[name] = ms - (cpuAtStreaming.cpu[name] ?? 0);
          const server = process.cpuUsage(cpuAtStreaming.server);
          serverWindowCpu = (server.user + server.system) / 1000;
        }
        e.closedAt ??= at;
        e.rows = Number(entry.rows);
      }
      perEntity.set(entry.entity, e);
    },
  });
  if (measured.exitCode !== 0) throw new Error(`the ETL (${launch.form}) exited with code ${measured.exitCode}`);
  const etl = measured.processes.filter(isEtl);
  return { ...measured, form: launch.form, etlHwmKb: Math.max(0, ...etl.map((p) => p.hwmKb)), entities: perEntity, windowCpu, serverWindowCpu };
}

/** The CLI's own process: node running it (a launcher is npm, a shell, or node running something else). */
const isEtl = (p: ProcessPeak): boolean => /^\S*\bnode\s/.test(p.command) && p.command.includes(' run --admin-url ');

/** A script of this folder as a program of its own (`node scripts/<script> …`, default flags): the time it prints (ms) and the process's measures. */
async function fresh(script: string, scriptArgs: string[]): Promise<{ ms: number; bytes: number; run: Measured }> {
  let ms = NaN;
  let bytes = 0;
  const run = await measure(process.execPath, [join(root, 'scripts', script), ...scriptArgs], {
    cwd: root,
    env: process.env,
    onStdoutLine: (line) => ({ ms, bytes = 0 } = JSON.parse(line) as { ms: number; bytes?: number }),
    onStderrLine: (line) => process.stderr.write(`${line}\n`),
  });
  if (run.exitCode !== 0 || Number.isNaN(ms)) throw new Error(`scripts/${script} exited with code ${run.exitCode}`);
  return { ms, bytes, run };
}

/**
 * Rewrites the result file at `path` in place as the `ascii` shape: every byte over 0x7F becomes `x`.
 * Such bytes stand only inside JSON strings (as UTF-8 letters), so the lines, their structure and the
 * file's size stay; only the text is what a shop whose customers write ASCII would hold.
 */
async function asciiInPlace(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; ; ) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) if (chunk[i]! > 0x7f) chunk[i] = 0x78;
      await file.write(chunk, 0, bytesRead, at);
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
}

async function syncFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** The result files the sandbox wrote since the last call: what one ETL run read. */
const written: Array<{ path: string; bytes: number }> = [];
function takeWritten(): Array<{ path: string; bytes: number }> {
  return written.splice(0);
}

/** Resolves once no result file has been in the making for a moment. */
let writing = 0;
let lastWriteEnd = 0;
async function writesSettled(): Promise<void> {
  const QUIET_MS = 300;
  while (writing > 0 || performance.now() - lastWriteEnd < QUIET_MS) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Makes the sandbox write its result files in `shape` from now on (its store writes each one whole
 * before the operation completes), and note them. An operation completes only once every file the run
 * asked for is written: the entity's queries run as concurrent operations, and the sandbox making one
 * file on the same two cores while the ETL processes another would be timed as the ETL's (Shopify
 * makes its files on its own machines).
 */
function writeShape(sandbox: Sandbox, shape: Shape): void {
  const store = sandbox.store as Sandbox['store'] & { writeSandboxShape?: Sandbox['store']['writeBulkResult'] };
  store.writeSandboxShape ??= store.writeBulkResult.bind(store);
  const write = store.writeSandboxShape;
  store.writeBulkResult = async (document, path, options) => {
    writing++;
    try {
      const result = await write(document, path, options);
      if (shape === 'ascii') await asciiInPlace(path);
      // On disk before any timed run: the kernel writing a gigabyte of dirty pages back during one
      // would be timed as that run's (Shopify's files sit on its storage, not in our page cache's queue).
      await syncFile(path);
      written.push({ path, bytes: (await stat(path)).size });
      return result;
    } finally {
      writing--;
      lastWriteEnd = performance.now();
      await writesSettled();
    }
  };
}

async function partBytes(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(parquet ? '.parquet' : '.ndjson.gz'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
/** The processing window's CPU by kind of thread (Node's thread names; the rest, e.g. libuv's file system threads, together). */
function windowThreads(run: EtlRun): string {
  const { MainThread: main = 0, WorkerThread: workers = 0, V8Worker: v8 = 0, ...rest } = run.windowCpu;
  const other = Object.values(rest).reduce((a, b) => a + b, 0);
  return `workers ${s(workers)}, main thread ${s(main)}, V8's background threads (optimising compiles, concurrent GC) ${s(v8)}, other ${s(other)}; this process (the sandbox serving the files, and the polling of /proc) ${s(run.serverWindowCpu)}`;
}
const processingMs = (run: EtlRun, entity = 'orders'): number => run.entities.get(entity)!.closedAt! - run.entities.get(entity)!.streamingAt!;

interface ShapeResult { mb: number; shape: Shape; fileMb: number; rows: number; etlMs: number; bareMs: number; floorMs: number; peakKb: number }

/** One size and shape of the orders mode; prints as it goes and returns the figures for the closing table. */
async function shapeBench(sandbox: Sandbox, mb: number, shape: Shape, dir: string, withForms: boolean): Promise<ShapeResult> {
  writeShape(sandbox, shape);
  console.log(`\n-- shape ${shape}; load average ${load()}`);
  const etl: EtlRun[] = [];
  const bare: Array<{ ms: number; run: Measured }> = [];
  const duck: Array<{ ms: number; bytes: number; run: Measured }> = [];
  const floor: number[] = [];
  // Every file the run read (the entity's queries each have one), in the order they were written.
  let file = { paths: [] as string[], bytes: 0 };
  // Alternating, so a drift of the machine's speed hits every side alike.
  for (let i = 0; i < RUNS; i++) {
    takeWritten();
    const run = await runEtl(sandbox, join(dir, `etl-${i}`), 'orders');
    etl.push(run);
    const files = takeWritten();
    file = { paths: files.map((f) => f.path), bytes: files.reduce((a, f) => a + f.bytes, 0) };
    const b = await fresh('bare-loop.ts', file.paths);
    bare.push(b);
    const f = await fresh('two-core-floor.ts', [...(args.workers ? ['--threads', args.workers] : []), ...file.paths]);
    floor.push(f.ms);
    if (parquet) {
      await mkdir(join(dir, `duckdb-${i}`), { recursive: true });
      duck.push(await fresh('duckdb-parquet.ts', [join(dir, `duckdb-${i}`), ...file.paths]));
    }
    const ms = processingMs(run);
    // CPU seconds beside the times: on a loaded machine they move far less than wall time does.
    console.log(`run ${i + 1}  ETL ${s(ms)} (${(file.bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s, peak RSS ${mib(run.etlHwmKb)}, CPU ${s(run.cpuMs)} of ${s(run.wallMs)} wall)`
      + `   bare loop ${s(b.ms)} (${mib(b.run.maxRssKb)}, CPU ${s(b.run.cpuMs)})   ratio ${(b.ms / ms).toFixed(2)}   floor ${s(f.ms)} (CPU ${s(f.run.cpuMs)})`
      + (parquet ? `   DuckDB → Parquet ${s(duck[i]!.ms)} (${mib(duck[i]!.run.maxRssKb)}, CPU ${s(duck[i]!.run.cpuMs)})` : ''));
    console.log(`        CPU in the ETL's processing window: ${windowThreads(run)}`);
  }
  const rows = etl[0]!.entities.get('orders')!.rows!;
  const etlMs = median(etl.map((r) => processingMs(r)));
  const bareMs = median(bare.map((b) => b.ms));
  console.log(`orders files          ${(file.bytes / 1e6).toFixed(0)} MB in ${file.paths.length} (one per query of the entity), ${rows} rows (${shape})`);
  console.log(`orders processing     ${s(etlMs)}  ${Math.round(rows / (etlMs / 1000))} rows/s  ${(file.bytes / 1e6 / (etlMs / 1000)).toFixed(0)} MB/s  (median of ${RUNS}; download → parse → transform → ${parquet ? "Parquet pages" : "gzip"} → part files closed)`);
  console.log(`peak RSS of the ETL   ${etl.map((r) => mib(r.etlHwmKb)).join(', ')}  (target ≤ 256 MiB; its VmHWM, every thread; rusage maxRSS ${etl.map((r) => mib(r.maxRssKb)).join(', ')})`);
  const ours = await partBytes(join(dir, 'etl-0', 'out'));
  console.log(`part files            ${(ours / 1e6).toFixed(1)} MB ${parquet ? 'Parquet' : 'gzipped'} (all tables)`);
  console.log(`bare loop, fresh      ${s(bareMs)}  ${(file.bytes / 1e6 / (bareMs / 1000)).toFixed(0)} MB/s  (median of ${bare.map((b) => s(b.ms)).join(', ')}; \`node scripts/bare-loop.ts\`, default flags)`);
  if (parquet) {
    const duckMs = median(duck.map((d) => d.ms));
    console.log(`DuckDB → Parquet      ${s(duckMs)}  ${(file.bytes / 1e6 / (duckMs / 1000)).toFixed(0)} MB/s  peak RSS ${duck.map((d) => mib(d.run.maxRssKb)).join(', ')}  ${(duck[0]!.bytes / 1e6).toFixed(1)} MB  (median of ${duck.map((d) => s(d.ms)).join(', ')}; scripts/duckdb-parquet.ts, fresh process)`);
    console.log(`PARQUET vs DuckDB     throughput ${(duckMs / etlMs).toFixed(2)}× (target ≥ 1.0)   size ${(ours / duck[0]!.bytes).toFixed(2)}× (target ≤ 1.5)   peak RSS ours ${mib(Math.max(...etl.map((r) => r.etlHwmKb)))}, DuckDB's ${mib(Math.max(...duck.map((d) => d.run.maxRssKb)))}`);
  }
  console.log(`RATIO (${shape})`.padEnd(22) + `${(bareMs / etlMs).toFixed(2)}  (fresh-process bare loop / ETL processing; target ≥ 0.90)`);
  // Load stretches CPU far less than wall time: what the ratio could be with every core free for the
  // ETL, its run's fixed CPU (startup, the operation's polling: a one-order run's) left out.
  const etlCpu = median(etl.map((r) => r.cpuMs)) - fixedCpuMs;
  const bareCpu = median(bare.map((b) => b.run.cpuMs));
  console.log(`CPU, median          ETL ${s(etlCpu)} (every thread, less a one-order run's ${s(fixedCpuMs)}), bare loop ${s(bareCpu)}; ceiling on ${cores} free cores ${(bareCpu / (etlCpu / cores)).toFixed(2)} (bare CPU / (ETL CPU / cores))`);
  const medianRun = etl.find((r) => processingMs(r) === etlMs)!;
  console.log(`window CPU, median run ${windowThreads(medianRun)}`);
  console.log(`two-core floor        ${s(median(floor))}  (median of ${floor.map(s).join(', ')}; scripts/two-core-floor.ts: read + split + compress the input as the ETL compresses its output, on every core, no rows)`);
  if (args.profile) {
    const profiles = join(dir, 'cpu-profiles');
    const run = await runEtl(sandbox, join(dir, 'profiled'), 'orders', { form: 'bin under --cpu-prof', command: process.execPath, args: ['--cpu-prof', `--cpu-prof-dir=${profiles}`, 'dist/main.js'] });
    console.log(`profile (one more run, under --cpu-prof: processing ${s(processingMs(run))}); the workers from their first batch to their last:`);
    for (const line of summarizeProfiles(profiles)) console.log(`  ${line}`);
  }
  if (withForms) {
    console.log(`launch forms (one run each; the ETL's own peak RSS, then the whole process tree's, launcher included):`);
    for (const [i, launch] of launchForms().entries()) {
      const run = i === 0 ? etl[0]! : await runEtl(sandbox, join(dir, `form-${i}`), 'orders', launch);
      const launchers = run.processes.filter((p) => !isEtl(p));
      console.log(`  ${launch.form.padEnd(40)} ETL ${mib(run.etlHwmKb).padStart(8)}   tree ${mib(run.treePeakKb).padStart(8)}   processing ${s(processingMs(run))}`
        + (launchers.length ? `   (launchers: ${launchers.map((p) => `${p.command.split(' ').slice(0, 2).map((w) => w.split('/').at(-1)).join(' ')} ${mib(p.hwmKb)}`).join(', ')})` : ''));
    }
  }
  return { mb, shape, fileMb: file.bytes / 1e6, rows, etlMs, bareMs, floorMs: median(floor), peakKb: Math.max(...etl.map((r) => r.etlHwmKb)) };
}

const cores = args.workers ? Math.min(Number(args.workers), availableParallelism()) : availableParallelism();
let fixedCpuMs = 0;

/** The CPU a run spends whatever the file's size: a one-order run's, median of three. */
async function measureFixedCpu(dir: string): Promise<number> {
  const sandbox = await startSandbox({ size: { orders: 1 }, dataDir: join(dir, 'sandbox') });
  try {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await runEtl(sandbox, join(dir, `etl-${i}`), 'orders')).cpuMs);
    return median(runs);
  } finally {
    await sandbox.close();
  }
}

/** One size of the orders mode: one sandbox, each shape in turn. */
async function ordersBench(mb: number, dir: string, withForms: boolean): Promise<ShapeResult[]> {
  const orders = Math.max(1, Math.round((mb * 1e6) / BYTES_PER_ORDER));
  const sandbox = await startSandbox({ size: { orders }, dataDir: join(dir, 'sandbox') });
  try {
    console.log(`\n== ${orders} orders (~${mb} MB of orders JSONL)`);
    const results: ShapeResult[] = [];
    for (const [i, shape] of shapes.entries()) results.push(await shapeBench(sandbox, mb, shape, join(dir, shape), withForms && i === 0));
    return results;
  } finally {
    await sandbox.close();
  }
}

async function allBench(mb: number, dir: string): Promise<void> {
  const orders = Math.max(1, Math.round((mb * 1e6) / BYTES_PER_ORDER));
  const sandbox = await startSandbox({ size: { orders }, operationDelayMs: delayMs, dataDir: join(dir, 'sandbox') });
  try {
    console.log(`bench: every entity, ${orders} orders (~${mb} MB of orders JSONL), operations take at least ${delayMs} ms; load average ${load()}`);
    const run = await runEtl(sandbox, dir, entities.map((e) => e.name).join(','));
    const ops = sandbox.operations().filter((op) => op.completedAt !== null);
    const durations = ops.map((op) => ({ op, ms: op.completedAt!.getTime() - op.createdAt.getTime() }));
    const longest = durations.sort((a, b) => b.ms - a.ms)[0]!;
    const ideal = longest.ms + processingMs(run);
    for (const [name, e] of run.entities) if (e.closedAt && e.streamingAt) console.log(`  ${name.padEnd(20)} processing ${s(e.closedAt - e.streamingAt)}, ${e.rows} rows`);
    console.log(`peak RSS of the ETL   ${mib(run.etlHwmKb)}`);
    console.log(`operations            ${ops.length}; longest ${s(longest.ms)} (${longest.op.objectCount} objects), shortest ${s(durations.at(-1)!.ms)}`);
    console.log(`longest op + its processing ${s(ideal)}`);
    console.log(`whole run (wall)      ${s(run.wallMs)}  ratio ${(run.wallMs / ideal).toFixed(2)}  (target ≤ 1.20)`);
  } finally {
    await sandbox.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'bench-'));
// What compresses the gzip parts here: the CLI runs from the same node_modules, so it is the run's too.
if (args.format === 'ndjson') {
  const gzip = gzipEngine(Number(args['gzip-level'] ?? 1));
  console.log(`gzip parts compressed by ${gzip.engine}${gzip.fallback ? ` (${gzip.fallback})` : ''}`);
}
try {
  if (mode === 'all') await allBench(sizesMb[0]!, dir);
  else {
    fixedCpuMs = await measureFixedCpu(join(dir, 'fixed'));
    const results: ShapeResult[] = [];
    for (const [i, mb] of sizesMb.entries()) {
      // The launch forms at the largest size: the one the peak RSS target is about.
      results.push(...(await ordersBench(mb, join(dir, String(mb)), i === sizesMb.length - 1)));
      await rm(join(dir, String(mb)), { recursive: true, force: true });
    }
    console.log(`\nsize      shape    file     rows        ETL (median)  bare, fresh  RATIO  two-core floor  peak RSS   (load average now ${load()})`);
    for (const r of results) {
      console.log(`${`${r.mb} MB`.padEnd(9)} ${r.shape.padEnd(8)} ${`${r.fileMb.toFixed(0)} MB`.padEnd(8)} ${String(r.rows).padEnd(11)} ${s(r.etlMs).padEnd(13)} ${s(r.bareMs).padEnd(12)} ${(r.bareMs / r.etlMs).toFixed(2).padEnd(6)} ${s(r.floorMs).padEnd(15)} ${mib(r.peakKb)}`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
