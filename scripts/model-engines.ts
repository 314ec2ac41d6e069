// The models' engine, chosen by measurement (issue 19): the seven models over the same run's output,
// computed (a) by DuckDB exactly as `shopify-bulk-etl models` computes them (writeModels), and (b) by
// SQLite (better-sqlite3, already the state's engine) from the same definitions compiled for it, after
// loading the parts they read into tables: SQLite reads neither gzip nor JSON files, so that load is
// what a SQLite engine would pay on every `models`. Each engine runs in a fresh process measured from
// outside (measure-process.ts, as the bench measures: wall, CPU, peak RSS); then every figure of the two
// is compared.
//
//   node scripts/model-engines.ts [--orders N | --dest DIR] [--repeat R]
//
// --orders: a sandbox store of N orders (default 120, the demo's) is extracted first (`run --sandbox`,
// the entities the models read) into a temporary folder; --dest: an existing local run's output.
// --repeat: runs of each engine (default 3), alternated; the table shows their medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { DEFAULT_MODEL_PARAMS, models } from '../src/models/definitions.ts';
import type { ModelDialect } from '../src/models/dialect.ts';
import { writeModels } from '../src/models/index.ts';
import { bigQuerySchema } from '../src/rows/schema.ts';
import { currentStates } from '../src/views/model.ts';
import { COMMITTED_FILES, currentView } from '../src/views/sql.ts';
import { measure } from './measure-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const ENGINES = ['duckdb', 'sqlite'] as const;
type Engine = (typeof ENGINES)[number];
type Row = Record<string, unknown>;

/** The models' dialect for SQLite: time zones through a JavaScript function (local_date), money as REAL rounded to the cent. */
const sqliteDialect: ModelDialect = {
  name: (n) => `"${n}"`,
  localDate: (instant, tz) => `local_date(${instant}, ${tz})`,
  monthStart: (date) => `date(${date}, 'start of month')`,
  monthsBetween: (from, to) => `((CAST(strftime('%Y', ${to}) AS INTEGER) - CAST(strftime('%Y', ${from}) AS INTEGER)) * 12 + CAST(strftime('%m', ${to}) AS INTEGER) - CAST(strftime('%m', ${from}) AS INTEGER))`,
  secondsBetween: (from, to) => `CAST(ROUND(unixepoch(${to}, 'subsec') - unixepoch(${from}, 'subsec')) AS INTEGER)`,
  cents: (e) => `ROUND(${e}, 2)`,
  // As DuckDB's: whole cents divided in integers, halves away from zero.
  centsPer: (m, n) => `(CAST(sign(ROUND(${m}, 2)) * ((CAST(abs(ROUND(${m} * 100)) AS INTEGER) * 2 + (${n})) / (2 * (${n}))) AS REAL) / 100)`,
  ratio: (n, d) => `CAST(${n} AS REAL) / NULLIF(${d}, 0)`,
  div: (n, d) => `CAST(floor(CAST(${n} AS REAL) / ${d}) AS INTEGER)`,
};

const SQLITE_TYPES: Record<string, string> = { INTEGER: 'INTEGER', NUMERIC: 'REAL', FLOAT: 'REAL', BOOLEAN: 'INTEGER' };

/** The committed part files, from the runs' manifests, as the views list them. */
function committedFiles(dest: string): Array<{ shop: string; table: string; runId: string; objectName: string }> {
  const root = join(dest, '_manifests');
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).flatMap((f) => {
    const manifest = JSON.parse(readFileSync(join(root, f), 'utf8')) as { shop: string; runId: string; windows: Array<{ files: Array<{ objectName: string; table: string }> }> };
    return manifest.windows.flatMap((w) => w.files.map((file) => ({ shop: manifest.shop, table: file.table, runId: manifest.runId, objectName: file.objectName })));
  });
}

/**
 * SQLite: every table the models read loaded from its parts, its current state kept (the latest copy
 * per key; a snapshot table's latest run), the models run and written as JSON. Only what one run's
 * output needs of the views is ported: their deletion rules and parent joins are not.
 */
function sqliteModels(dest: string, out: string): void {
  const started = performance.now();
  const db = new Database(':memory:');
  const formats = new Map<string, Intl.DateTimeFormat>();
  db.function('local_date', { deterministic: true }, (instant: unknown, timeZone: unknown) => {
    if (instant === null) return null;
    const zone = String(timeZone);
    if (!formats.has(zone)) formats.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
    return formats.get(zone)!.format(new Date(String(instant)));
  });
  const files = committedFiles(dest);
  db.exec(`CREATE TABLE "${COMMITTED_FILES}" (shop TEXT, table_name TEXT, run_id TEXT, object_name TEXT)`);
  const listed = db.prepare(`INSERT INTO "${COMMITTED_FILES}" VALUES (?, ?, ?, ?)`);
  db.transaction(() => files.forEach((f) => listed.run(f.shop, f.table, f.runId, f.objectName)))();
  const statements = models.map((m) => `SELECT * FROM (${m.sql(sqliteDialect, DEFAULT_MODEL_PARAMS)}) ORDER BY ${m.orderBy}`);
  const read = new Set(statements.flatMap((s) => [...s.matchAll(/"shopify_(\w+)_current"/g)].map((m) => m[1]!)));
  for (const state of currentStates().filter((s) => read.has(s.table.name))) {
    const fields = bigQuerySchema(state.table);
    const columns = fields.map((f) => `"${f.name}"`).join(', ');
    const loadedRows = `"shopify_${state.table.name}"`;
    db.exec(`CREATE TABLE ${loadedRows} (${fields.map((f) => `"${f.name}" ${f.mode === 'REPEATED' ? 'TEXT' : (SQLITE_TYPES[f.type] ?? 'TEXT')}`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO ${loadedRows} VALUES (${fields.map(() => '?').join(', ')})`);
    const value = (type: string, repeated: boolean, v: unknown): unknown => {
      if (v === null || v === undefined) return null;
      if (repeated || typeof v === 'object') return JSON.stringify(v);
      if (type === 'INTEGER') return BigInt(v as string);
      if (type === 'NUMERIC' || type === 'FLOAT') return Number(v);
      if (type === 'BOOLEAN') return v ? 1 : 0;
      return v;
    };
    db.transaction(() => {
      for (const file of files.filter((f) => f.table === state.table.name)) {
        for (const line of gunzipSync(readFileSync(join(dest, file.objectName))).toString('utf8').split('\n')) {
          if (line === '') continue;
          const row = JSON.parse(line) as Row;
          insert.run(fields.map((f) => value(f.type, f.mode === 'REPEATED', row[f.name])));
        }
      }
    })();
    const order = [...(state.kind === 'latest' && state.byUpdatedAt ? ['updated_at DESC'] : []), '_extracted_at DESC', '_run_id DESC'].join(', ');
    db.exec(`CREATE TABLE "${currentView(state.table.name)}" AS SELECT ${columns} FROM ${state.kind === 'snapshot'
      ? `${loadedRows} AS t WHERE _run_id = (SELECT MAX(run_id) FROM "${COMMITTED_FILES}" WHERE shop = t._shop AND table_name IN (${state.tables.map((n) => `'${n}'`).join(', ')}))`
      : `(SELECT *, ROW_NUMBER() OVER (PARTITION BY _shop, ${state.key.map((k) => `"${k}"`).join(', ')} ORDER BY ${order}) AS _copy FROM ${loadedRows}) WHERE _copy = 1`}`);
  }
  const loaded = performance.now();
  const results = Object.fromEntries(models.map((m, i) => [m.name, db.prepare(statements[i]!).all()]));
  writeFileSync(out, JSON.stringify(results));
  db.close();
  process.stderr.write(`loading the parts and keeping the current state ${((loaded - started) / 1000).toFixed(2)} s, the models ${((performance.now() - loaded) / 1000).toFixed(2)} s\n`);
}

/** A model file DuckDB wrote (NDJSON.gz), as rows. */
const readModelFile = (path: string): Row[] => gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);

/** Equal as the models mean them: numbers to 1e-9 of their size (money is rounded to the cent by both, so a cent apart is unequal), instants as instants. */
function same(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' || typeof b === 'number') return Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(a)));
  const [x, y] = [String(a), String(b)];
  return x === y || (x.includes('T') && Date.parse(x) === Date.parse(y));
}

/** Per model: rows of each engine, and where they differ (at most a few shown). */
function compare(duck: Record<string, Row[]>, lite: Record<string, Row[]>): Array<{ model: string; duckdb: number; sqlite: number; differing: number; examples: string[] }> {
  return models.map((m) => {
    const [a, b] = [duck[m.name]!, lite[m.name]!];
    const examples: string[] = [];
    let differing = Math.abs(a.length - b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const columns = Object.keys(m.columns).filter((c) => !same(a[i]![c] ?? null, b[i]![c] ?? null));
      if (columns.length === 0) continue;
      differing++;
      if (examples.length < 3) examples.push(`row ${i}: ${columns.map((c) => `${c} duckdb ${JSON.stringify(a[i]![c])} sqlite ${JSON.stringify(b[i]![c])}`).join(', ')}`);
    }
    return { model: m.name, duckdb: a.length, sqlite: b.length, differing, examples };
  });
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { orders: { type: 'string', default: '120' }, repeat: { type: 'string', default: '3' }, dest: { type: 'string' }, engine: { type: 'string' }, out: { type: 'string' } } });
  if (args.engine !== undefined) {
    // A child: one engine, the parent measures it.
    if (args.engine === 'duckdb') await writeModels({ dest: args.dest!, params: DEFAULT_MODEL_PARAMS, states: [] }, { warn: (m) => process.stderr.write(`${m}\n`), info: () => undefined });
    else sqliteModels(args.dest!, args.out!);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'model-engines-'));
  try {
    let dest = args.dest;
    if (dest === undefined) {
      dest = join(work, 'out');
      const started = Date.now();
      const run = spawnSync(process.execPath, [join(ROOT, 'src/main.ts'), 'run', '--sandbox', '--sandbox-orders', args.orders, '--entities', 'shop,orders,order_sales,payouts,balance_transactions', '--dest', dest, '--state', join(work, 'state.db')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
      if (run.status !== 0) throw new Error(`the sandbox run failed (${run.status}): ${run.stderr.toString().slice(-2000)}`);
      console.log(`extracted a sandbox store of ${args.orders} orders in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const bytes = committedFiles(dest).reduce((sum, f) => sum + readFileSync(join(dest, f.objectName)).length, 0);
    console.log(`${dest}: ${(bytes / 2 ** 20).toFixed(1)} MiB of gzipped parts; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (a shared machine)`);
    const runs = new Map<Engine, Array<Awaited<ReturnType<typeof measure>>>>(ENGINES.map((e) => [e, []]));
    // Alternated, so a burst of the other helpers' load falls on both engines rather than on one.
    for (let i = 0; i < Number(args.repeat); i++) {
      for (const engine of ENGINES) {
        const stderr: string[] = [];
        const result = await measure(process.execPath, [SELF, '--engine', engine, '--dest', dest, '--out', join(work, `${engine}.json`)], { cwd: ROOT, env: process.env, onStderrLine: (line) => stderr.push(line) });
        if (result.exitCode !== 0) throw new Error(`${engine} failed (${result.exitCode}): ${stderr.join('\n')}`);
        console.log(`${engine} run ${i + 1}: ${(result.wallMs / 1000).toFixed(2)} s${stderr.length > 0 ? `; ${stderr.join('; ')}` : ''}`);
        runs.get(engine)!.push(result);
      }
    }
    const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(`\nengine | wall s | CPU s | peak RSS MiB (medians of ${args.repeat})`);
    for (const [engine, m] of runs) console.log(`${engine} | ${(median(m.map((r) => r.wallMs)) / 1000).toFixed(2)} | ${(median(m.map((r) => r.cpuMs)) / 1000).toFixed(2)} | ${(median(m.map((r) => r.maxRssKb)) / 1024).toFixed(0)}`);
    const duck = Object.fromEntries(models.map((m) => [m.name, readModelFile(join(dest, '_models', m.name, `${m.name}.ndjson.gz`))]));
    const lite = JSON.parse(readFileSync(join(work, 'sqlite.json'), 'utf8')) as Record<string, Row[]>;
    const agreement = compare(duck, lite);
    console.log('\nmodel | rows duckdb | rows sqlite | rows differing');
    for (const a of agreement) {
      console.log(`${a.model} | ${a.duckdb} | ${a.sqlite} | ${a.differing}`);
      for (const e of a.examples) console.log(`  ${e}`);
    }
    const differing = agreement.filter((a) => a.differing > 0).map((a) => a.model);
    console.log(differing.length === 0 ? '\nthe engines agree on every figure' : `\nthe engines differ in: ${differing.join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
