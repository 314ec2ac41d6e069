// Financial accuracy checks after a run (README: Quality checks): per order, its line items plus its
// shipping and taxes less its discounts are its total; per order, its refunds are its successful refund
// transactions; per payout, its balance transactions' net is its net; all to the cent.
//
// Computed in one pass over the part files the run published (its manifest lists them), after its
// entities are done: each file is streamed line by line into a temporary SQLite database beside the
// run's staging folder, as sums per (window, order) and per (window, payout), and the checks are SQL
// over those. Memory stays bounded at any shop size (SQLite spills to its file), no row is held, and a
// gs:// destination is read the same way as a folder. Reading the published files, rather than summing
// as rows are written, keeps the checks off the pipeline's hot path (worker threads write rows), and
// checks exactly what a reader of the output sees. An order read in two windows of one run (a lookback)
// is checked in its newest copy, as the current-state views take it.
import Database from 'better-sqlite3';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Destination } from '../load/destination.ts';
import { ErrorCodes } from '../errors/index.ts';
import type { Manifest, ManifestWindow } from '../load/manifest.ts';
import type { Logger } from '../report/log.ts';
import type { ShopSummary } from './run.ts';

/** One check's outcome, as the manifest's `_quality.checks` holds it. */
export interface QualityCheck {
  name: string;
  /** Records the check looked at. */
  checked: number;
  failed: number;
  /** A few failing records (at most EXAMPLES), with what was expected and what was found, in the shop's currency. */
  examples: Array<Record<string, string>>;
}

export interface QualityReport {
  checks: QualityCheck[];
}

/** Failing records kept per check: enough to find the pattern in, small enough for the manifest. */
const EXAMPLES = 5;

/** The tables the checks read. */
const TABLES = ['orders', 'order_line_items', 'order_shipping_lines', 'order_refunds', 'order_transactions', 'payouts', 'balance_transactions'] as const;
type Table = (typeof TABLES)[number];

/** A row's value by column name. */
type Row = (column: string) => string | null;

/** `"key":` as bytes, per key read: the needle field() looks for. */
const needles = new Map<string, Buffer>();

/**
 * A top-level value of one of our own rows (compact JSON, one line: `buf`'s bytes from `start` to `end`), as a string of its
 * own, without parsing the row: at a few columns of rows with dozens, parsing whole rows would be most
 * of the pass. Its key is found as `"key":`, which cannot occur inside a JSON string (a quote there is
 * escaped), and the columns read here are unique in their table: no REPEATED RECORD has them. Their
 * values are ids, timestamps, decimal strings and enum names (no escapes), numbers or null; null for a
 * key not there. The value is decoded from the bytes into a new string, never cut from a string of the
 * line: V8 makes a substring of 13 characters or more a view that keeps its whole string alive, and an
 * id kept as a key of the file's sums would keep its line (one line per order of the file).
 */
export function field(buf: Buffer, key: string, start = 0, end = buf.length): string | null {
  let needle = needles.get(key);
  if (needle === undefined) needles.set(key, (needle = Buffer.from(`"${key}":`)));
  const at = buf.indexOf(needle, start);
  if (at < 0 || at >= end) return null;
  const from = at + needle.length;
  if (buf[from] === 0x22) return buf.toString('utf8', from + 1, buf.indexOf(0x22, from + 1));
  let to = from;
  while (to < end && buf[to] !== 0x2c && buf[to] !== 0x7d) to++;
  const value = buf.toString('latin1', from, to);
  return value === 'null' ? null : value;
}

/** A decimal string (or number) as whole cents; amounts are read exactly to the cent at any size a shop has. */
const cents = (amount: string | null): number => (amount === null ? 0 : Math.round(Number(amount) * 100));
const decimal = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/**
 * After a run's entities: the checks over the files its manifest lists, recorded in the manifest and
 * the summary, a warning per failed check. Under --strict-quality a failed check (or one that could
 * not be computed) fails the shop's run with QUALITY_CHECK_FAILED; otherwise it only warns, since the
 * data is as Shopify gave it and is published either way.
 */
export async function runQualityChecks(strict: boolean, deps: { dest: Destination; manifest: Manifest; summary: ShopSummary; logger: Logger; scratch: string }): Promise<void> {
  const { manifest, summary, logger } = deps;
  let problem: string | null = null;
  try {
    const quality = await checkQuality(deps.dest, manifest.document.windows, deps.scratch);
    manifest.setQuality(quality);
    summary._quality = quality;
    const failed = quality.checks.filter((c) => c.failed > 0);
    for (const c of failed) logger.warn(`quality check ${c.name}: ${c.failed} of ${c.checked} failed`, { check: c.name, checked: c.checked, failed: c.failed, examples: c.examples });
    if (failed.length > 0) problem = `quality checks failed: ${failed.map((c) => `${c.name} (${c.failed} of ${c.checked})`).join(', ')}`;
  } catch (err) {
    problem = `the quality checks could not be computed: ${err instanceof Error ? err.message : String(err)}`;
    logger.warn(problem);
  }
  if (!strict || problem === null) return;
  manifest.addFailure('(quality)', ErrorCodes.QUALITY_CHECK_FAILED, problem);
  summary.status = 'failed';
  summary.error = { code: ErrorCodes.QUALITY_CHECK_FAILED, message: `${problem} (--strict-quality)` };
}

/** Runs the checks over the files of the run's windows; `scratch` is a folder for the temporary database. */
export async function checkQuality(dest: Destination, windows: readonly ManifestWindow[], scratch: string): Promise<QualityReport> {
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, 'quality-'));
  const db = new Database(join(dir, 'sums.db'));
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(`
      CREATE TABLE orders (w INTEGER, id TEXT, updated_at TEXT, total INTEGER, tax INTEGER, discounts INTEGER, refunded INTEGER, PRIMARY KEY (id, w));
      CREATE TABLE payouts (w INTEGER, id TEXT, net INTEGER, PRIMARY KEY (id, w));
      CREATE TABLE sums (w INTEGER, kind TEXT, id TEXT, cents INTEGER, PRIMARY KEY (kind, id, w));
    `);
    const order = db.prepare('INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)');
    const payout = db.prepare('INSERT OR REPLACE INTO payouts VALUES (?, ?, ?)');
    const sum = db.prepare('INSERT INTO sums VALUES (?, ?, ?, ?) ON CONFLICT (kind, id, w) DO UPDATE SET cents = cents + excluded.cents');
    // A file's sums are added up in memory first (bounded by the part size, not the shop), then written
    // as one row per order or payout: a row per line would cost the database more than reading it.
    const pending = new Map<string, number>();
    const add = (kind: string, id: string | null, c: number): void => {
      if (id === null) return;
      const key = `${kind}\t${id}`;
      pending.set(key, (pending.get(key) ?? 0) + c);
    };
    const take: Record<Table, (w: number, r: Row) => void> = {
      orders: (w, r) => void order.run(w, r('id'), r('updated_at'), cents(r('total_price')), cents(r('total_tax')), cents(r('total_discounts')), cents(r('total_refunded'))),
      order_line_items: (_, r) => add('lines', r('order_id'), cents(r('original_total'))),
      order_shipping_lines: (_, r) => add('shipping', r('order_id'), cents(r('original_price'))),
      order_refunds: (_, r) => add('refunds', r('order_id'), cents(r('total_refunded'))),
      order_transactions: (_, r) => (r('kind') === 'REFUND' && r('status') === 'SUCCESS' ? add('refund_transactions', r('order_id'), cents(r('amount'))) : undefined),
      // A WITHDRAWAL takes its net from the bank: its balance transactions net that much below zero.
      payouts: (w, r) => void payout.run(w, r('id'), (r('transaction_type') === 'WITHDRAWAL' ? -1 : 1) * cents(r('net'))),
      balance_transactions: (_, r) => add('balance', r('payout_id'), cents(r('net'))),
    };
    for (const [w, window] of windows.entries()) {
      for (const file of window.files) {
        if (!(TABLES as readonly string[]).includes(file.table) || file.rows === 0) continue;
        if (!file.objectName.endsWith('.ndjson.gz')) throw new Error(`they read gzip NDJSON parts, and this run wrote ${file.objectName}`);
        const insert = take[file.table as Table];
        // One transaction a file: SQLite writes it once, not once a row.
        db.exec('BEGIN');
        await eachLine(dest.read(file.objectName), (buf, start, end) => insert(w, (key) => field(buf, key, start, end)));
        for (const [key, c] of pending) {
          const tab = key.indexOf('\t');
          sum.run(w, key.slice(0, tab), key.slice(tab + 1), c);
        }
        pending.clear();
        db.exec('COMMIT');
      }
    }
    const read = new Set(windows.flatMap((w) => w.files.map((f) => f.table)));
    return { checks: [orderTotals(db), refundTransactions(db), payoutBalances(db, read.has('balance_transactions'))] };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Calls `line` with each line of a gzip'd NDJSON object as it is inflated, as a range of bytes: of the
 * inflated chunk, or of a copy when it spans two. Nothing per line outlives the call, so the pass's
 * garbage dies young rather than piling up in the old generation (a line per await, as an async
 * generator yields them, outlived collections: +50 MiB of RSS over 300 MB of parts). A failure to read
 * or inflate it is thrown, not swallowed.
 */
async function eachLine(source: Readable, line: (buf: Buffer, start: number, end: number) => void): Promise<void> {
  let rest: Buffer | null = null;
  for await (const chunk of pipeline(source, createGunzip(), () => undefined) as AsyncIterable<Buffer>) {
    let from = 0;
    if (rest !== null) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const joined: Buffer = Buffer.concat([rest, chunk.subarray(0, nl)]);
      rest = null;
      if (joined.length > 0) line(joined, 0, joined.length);
      from = nl + 1;
    }
    for (let nl = chunk.indexOf(0x0a, from); nl >= 0; from = nl + 1, nl = chunk.indexOf(0x0a, from)) if (nl > from) line(chunk, from, nl);
    if (from < chunk.length) rest = Buffer.from(chunk.subarray(from));
  }
  if (rest !== null && rest.length > 0) line(rest, 0, rest.length);
}

/** Each order's newest copy (by updated_at, then the later window), with its sums of kind `kinds` from that window. */
function currentOrders(kinds: readonly string[]): string {
  const joins = kinds.map((k) => `LEFT JOIN sums ${k} ON ${k}.kind = '${k}' AND ${k}.id = o.id AND ${k}.w = o.w`).join(' ');
  const columns = kinds.map((k) => `COALESCE(${k}.cents, 0) AS ${k}`).join(', ');
  return `SELECT o.*, ${columns} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, w DESC) AS n FROM orders) o ${joins} WHERE o.n = 1`;
}

/** A result row of the checks' SQL. */
type Found = Record<string, unknown>;

/** Counts the failing records as SQLite yields them, keeping the first few: a check every record fails holds no more than one that a few fail. */
function report(name: string, checked: number, failing: Database.Statement, example: (r: Found) => Record<string, string>): QualityCheck {
  let failed = 0;
  const examples: Array<Record<string, string>> = [];
  for (const r of failing.iterate() as IterableIterator<Found>) if (++failed <= EXAMPLES) examples.push(example(r));
  return { name, checked, failed, examples };
}

/**
 * Line items (before discounts) + shipping lines (before discounts) + taxes − discounts (Shopify's
 * totalDiscounts holds line and shipping discounts) = total. A shop pricing with taxes included has
 * them inside its prices already: its orders pass when the sum without taxes is the total.
 */
function orderTotals(db: Database.Database): QualityCheck {
  const orders = `${currentOrders(['lines', 'shipping'])}`;
  const checked = (db.prepare(`SELECT COUNT(*) AS n FROM (${orders})`).get() as { n: number }).n;
  const failing = db.prepare(`SELECT id, total, lines + shipping + tax - discounts AS computed FROM (${orders}) WHERE total NOT IN (lines + shipping + tax - discounts, lines + shipping - discounts) ORDER BY id`);
  return report('order_totals', checked, failing, (r) => ({ order_id: String(r.id), total: decimal(r.total as number), computed: decimal(r.computed as number) }));
}

/** Per order with a refund or a refund transaction: its refunds' totals = its successful REFUND transactions. */
function refundTransactions(db: Database.Database): QualityCheck {
  const orders = `SELECT * FROM (${currentOrders(['refunds', 'refund_transactions'])}) WHERE refunds <> 0 OR refund_transactions <> 0`;
  const checked = (db.prepare(`SELECT COUNT(*) AS n FROM (${orders})`).get() as { n: number }).n;
  const failing = db.prepare(`SELECT id, refunds, refund_transactions FROM (${orders}) WHERE refunds <> refund_transactions ORDER BY id`);
  return report('refund_transactions', checked, failing, (r) => ({ order_id: String(r.id), refunds: decimal(r.refunds as number), refund_transactions: decimal(r.refund_transactions as number) }));
}

/**
 * Per payout (its newest copy): its net (negative for a WITHDRAWAL) = the net of the balance transactions
 * it paid out. Those are
 * their own entity's snapshot: the newest the run read, and none checked when the run read none.
 */
function payoutBalances(db: Database.Database, balanceRead: boolean): QualityCheck {
  const payouts = `SELECT p.id, p.net, COALESCE(b.cents, 0) AS balance FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY w DESC) AS n FROM payouts) p
    LEFT JOIN sums b ON b.kind = 'balance' AND b.id = p.id AND b.w = (SELECT MAX(w) FROM sums WHERE kind = 'balance') WHERE p.n = 1 AND ${balanceRead ? 1 : 0}`;
  const checked = (db.prepare(`SELECT COUNT(*) AS n FROM (${payouts})`).get() as { n: number }).n;
  const failing = db.prepare(`SELECT id, net, balance FROM (${payouts}) WHERE net <> balance ORDER BY id`);
  return report('payout_balance_transactions', checked, failing, (r) => ({ payout_id: String(r.id), net: decimal(r.net as number), balance_transactions: decimal(r.balance as number) }));
}
