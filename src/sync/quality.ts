// Financial accuracy checks after a run (README: Quality checks): per order, its line items plus its
// shipping, taxes, tip, duties and additional fees less its discounts are its total; per order, its refunds are its successful refund
// transactions; per payout, its balance transactions' net is its net; all to the cent.
//
// Computed from the sums the run's windows recorded as their rows were written (src/pipeline/sums.ts,
// kept in the state per window: src/state/window-sums.ts), after its entities are done: the windows its
// manifest lists are loaded, one batch's sums at a time, into a temporary SQLite database beside the
// run's staging folder, as sums per (window, order) and per (window, payout), and the checks are SQL
// over those. Memory stays bounded at any shop size (SQLite spills to its file), and no published file
// is read again, whatever its format or destination. An order read in two windows of one run (a
// lookback) is checked in its newest copy, as the current-state views take it.
import Database from 'better-sqlite3';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '../errors/index.ts';
import type { Manifest, ManifestWindow } from '../load/manifest.ts';
import type { Logger } from '../report/log.ts';
import { SUMS } from '../pipeline/sums.ts';
import type { WindowSums } from '../state/window-sums.ts';
import type { ShopSummary } from './run.ts';

/** One check's outcome, as the manifest's `_quality.checks` holds it. */
export interface QualityCheck {
  name: string;
  /** Records the check looked at. */
  checked: number;
  failed: number;
  /** A few failing records (at most EXAMPLES), with what was expected and what was found, in the shop's currency. */
  examples: Array<Record<string, string>>;
  /** Records left out of the check (not among `checked`), as `note` says why; absent for a check that leaves none out. */
  skipped?: number;
  note?: string;
}

export interface QualityReport {
  checks: QualityCheck[];
}

/** Failing records kept per check: enough to find the pattern in, small enough for the manifest. */
const EXAMPLES = 5;

const decimal = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/**
 * After a run's entities: the checks over the files its manifest lists, recorded in the manifest and
 * the summary, a warning per failed check. Under --strict-quality a failed check (or one that could
 * not be computed) fails the shop's run with QUALITY_CHECK_FAILED; otherwise it only warns, since the
 * data is as Shopify gave it and is published either way.
 */
export async function runQualityChecks(strict: boolean, deps: { sums: WindowSums; shop: string; manifest: Manifest; summary: ShopSummary; logger: Logger; scratch: string }): Promise<void> {
  const { manifest, summary, logger } = deps;
  let problem: string | null = null;
  try {
    const quality = await checkQuality(deps.sums, manifest.document.windows, deps.scratch);
    manifest.setQuality(quality);
    summary._quality = quality;
    const failed = quality.checks.filter((c) => c.failed > 0);
    for (const c of failed) logger.warn(`quality check ${c.name}: ${c.failed} of ${c.checked} failed`, { check: c.name, checked: c.checked, failed: c.failed, examples: c.examples });
    if (failed.length > 0) problem = `quality checks failed: ${failed.map((c) => `${c.name} (${c.failed} of ${c.checked})`).join(', ')}`;
  } catch (err) {
    problem = `the quality checks could not be computed: ${err instanceof Error ? err.message : String(err)}`;
    logger.warn(problem);
  }
  deps.sums.forget(deps.shop);
  if (!strict || problem === null) return;
  manifest.addFailure('(quality)', ErrorCodes.QUALITY_CHECK_FAILED, problem);
  summary.status = 'failed';
  summary.error = { code: ErrorCodes.QUALITY_CHECK_FAILED, message: `${problem} (--strict-quality)` };
}

/** Runs the checks over the sums of the run's windows (`sums`, by each window's key); `scratch` is a folder for the temporary database. */
export async function checkQuality(sums: Pick<WindowSums, 'of'>, windows: readonly ManifestWindow[], scratch: string): Promise<QualityReport> {
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, 'quality-'));
  const db = new Database(join(dir, 'sums.db'));
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // One row per (order, window): the order's own figures (NULL until its entry is read) and its
    // children's sums, which may come before it (OrderRows). WITHOUT ROWID: each row lives in its key's B-tree
    // alone, not in a rowid table and an index beside it, so an entry is one B-tree write, not two.
    db.exec(`
      CREATE TABLE orders (id INTEGER, w INTEGER, updated_at INTEGER, total INTEGER, tax INTEGER, discounts INTEGER, refunded INTEGER, charges INTEGER, edited INTEGER,
        lines INTEGER NOT NULL DEFAULT 0, shipping INTEGER NOT NULL DEFAULT 0, refunds INTEGER NOT NULL DEFAULT 0, refund_transactions INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id, w)) WITHOUT ROWID;
      CREATE TABLE payouts (id INTEGER, w INTEGER, net INTEGER, PRIMARY KEY (id, w)) WITHOUT ROWID;
      CREATE TABLE balance (id INTEGER, w INTEGER, cents INTEGER, PRIMARY KEY (id, w)) WITHOUT ROWID;
    `);
    const orders = new OrderRows(db);
    const payouts = new Load(db, 3, (rows) => `INSERT OR REPLACE INTO payouts (w, id, net) VALUES ${rows}`);
    const balance = new Load(db, 3, (rows) => `INSERT INTO balance (w, id, cents) VALUES ${rows} ON CONFLICT (id, w) DO UPDATE SET cents = cents + excluded.cents`);
    for (const [w, window] of windows.entries()) {
      // Numbers recorded per table.
      const recorded = new Map<string, number>();
      // One transaction a window: SQLite writes it once, not once a row.
      db.exec('BEGIN');
      for (const { table, sums: entries } of sums.of(window.windowKey)) {
        recorded.set(table, (recorded.get(table) ?? 0) + entries.length);
        const { width } = SUMS[table]!;
        // An entry without an id (a row missing it) has nothing to be checked against.
        for (let i = 0; i < entries.length; i += width) {
          if (Number.isNaN(entries[i])) continue;
          if (table === 'orders') orders.order(w, entries, i);
          else if (table === 'payouts') payouts.add(w, entries, i);
          else if (table === 'balance_transactions') balance.add(w, entries, i);
          else orders.child(w, table, entries[i]!, entries[i + 1]!);
        }
      }
      orders.flush(w);
      payouts.flush();
      balance.flush();
      db.exec('COMMIT');
      const missing = window.files.find((f) => SUMS[f.table] !== undefined && f.rows > 0 && !recorded.has(f.table));
      if (missing) throw new Error(`window ${window.windowKey} has ${missing.table} rows but no sums recorded for them (extracted by a version without them)`);
      // A table whose rows are not summed has an entry per row. A killed run's window keeps its sums for
      // the run that commits it, maybe a newer version's, whose entries are wider (an order's grew from 6
      // numbers to 7 with its tip, duties and fees, to 8 with whether it was edited): read at the wrong width they would be checked as nonsense.
      const rows = new Map<string, number>();
      for (const f of window.files) rows.set(f.table, (rows.get(f.table) ?? 0) + f.rows);
      for (const [table, n] of rows) {
        const spec = SUMS[table];
        if (spec === undefined || spec.summed || n === 0) continue;
        const numbers = recorded.get(table) ?? 0;
        if (numbers !== n * spec.width) throw new Error(`window ${window.windowKey} has ${n} ${table} rows but ${numbers} numbers of sums for them, not ${n * spec.width} (recorded by another version)`);
      }
    }
    // Each order's newest copy (by updated_at, then the later window) with its children's sums from
    // that window, made once: both order checks read it, in five queries that ranked every order's
    // copies again each time. A row without its order's entry (total NULL: children only) is no copy.
    // The newest is the copy no other outranks, found by a search of its id's copies: ROW_NUMBER over
    // the table was 3-4 times that (a sort, and every row copied through two subqueries). An order
    // without updated_at ranks below one with it, as ROW_NUMBER's descending order put it
    // (-1e16 is below any time a Date holds, ±8.64e15 ms).
    // Keyed by the order id, so a check's failing orders come in id order without a sort.
    db.exec(`
      CREATE TABLE current (id INTEGER PRIMARY KEY, total INTEGER, tax INTEGER, discounts INTEGER, charges INTEGER, edited INTEGER, lines INTEGER, shipping INTEGER, refunds INTEGER, refund_transactions INTEGER);
      INSERT INTO current SELECT id, total, tax, discounts, charges, edited, lines, shipping, refunds, refund_transactions FROM orders o
        WHERE total IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.id = o.id AND p.total IS NOT NULL AND (IFNULL(p.updated_at, -1e16), p.w) > (IFNULL(o.updated_at, -1e16), o.w));
    `);
    const read = new Set(windows.flatMap((w) => w.files.map((f) => f.table)));
    return { checks: [orderTotals(db), refundTransactions(db), payoutBalances(db, read.has('balance_transactions'))] };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rows in a statement of Load's. */
const CHUNK = 64;

/**
 * Rows into one statement's table, CHUNK rows a statement: a statement's run per row cost more than
 * SQLite's work on it. Rows keep their order, as each upsert needs; the loads go in any order between
 * them (an order's entry sets its own columns, children's sums add up, payouts are a table of their own).
 */
class Load {
  readonly #one: Database.Statement;
  readonly #many: Database.Statement;
  readonly #width: number;
  /** A statement's values, written in place: no garbage per statement (see OrderRows). */
  readonly #values: number[];
  #length = 0;

  /** `width` values a row (the window's index, then the entry's numbers); `insert` makes the statement from its VALUES list. */
  constructor(db: Database.Database, width: number, insert: (rows: string) => string) {
    const row = `(${Array(width).fill('?').join(', ')})`;
    this.#one = db.prepare(insert(row));
    this.#many = db.prepare(insert(Array(CHUNK).fill(row).join(', ')));
    this.#width = width;
    this.#values = Array(width * CHUNK).fill(0.5);
  }

  /** The row of window `w` whose other values are the width - 1 at `i` of `entries`. */
  add(w: number, entries: Float64Array, i: number): void {
    const values = this.#values;
    let at = this.#length;
    values[at++] = w;
    for (let k = 0; k < this.#width - 1; k++) values[at++] = entries[i + k]!;
    this.#length = at;
    if (at === values.length) {
      this.#many.run(values);
      this.#length = 0;
    }
  }

  /** The rows not written yet. */
  flush(): void {
    for (let i = 0; i < this.#length; i += this.#width) this.#one.run(this.#values.slice(i, i + this.#width));
    this.#length = 0;
  }
}

/** Where an (order, window) row's numbers lie in OrderRows: its entry's figures after its id, then its id, then its children's sums by table, then whether its entry was read. */
const ID = 7;
const CHILD: Readonly<Record<string, number>> = { order_line_items: 8, order_shipping_lines: 9, order_refunds: 10, order_transactions: 11 };
const ENTRY = 12;
const ROW = ENTRY + 1;
/** Orders gathered before their rows are written. */
const GATHER = 4096;

/**
 * The orders' entries and their children's sums, gathered per (order, window) over a few batches,
 * then written a row each: an order's entry and its children's sums come in the same batches, and a
 * write each (~3.4 an order) cost most of the load. Its own columns keep its last entry, as a replaced
 * row would; its children's sums add up. At most GATHER orders are held, whatever the shop's size.
 */
class OrderRows {
  /** Per order gathered, in the order they came, ROW numbers: one store, not a typed array per order (each with its backing store outside the heap: +70-90 MiB of RSS over 74,000 orders). */
  readonly #numbers = new Float64Array(GATHER * ROW);
  #count = 0;
  /**
   * Each order gathered's slot in #numbers, plus one (0: none), by its id in an open-addressed table
   * (ids are whole numbers, consecutive ones in consecutive places). A Map emptied after each write,
   * with Load's values in arrays grown per statement, made garbage that stayed in the main thread's
   * old generation (its heap +5.5 MiB per check of 74,000 orders under the program's V8 flags).
   */
  readonly #slots = new Int32Array(2 * GATHER);
  /** Rows with their order's entry: all its columns. */
  readonly #entries: Load;
  /** Rows of children only: their sums. */
  readonly #children: Load;

  constructor(db: Database.Database) {
    const sums = 'lines = lines + excluded.lines, shipping = shipping + excluded.shipping, refunds = refunds + excluded.refunds, refund_transactions = refund_transactions + excluded.refund_transactions';
    this.#entries = new Load(db, 13, (rows) => `INSERT INTO orders (w, updated_at, total, tax, discounts, refunded, charges, edited, id, lines, shipping, refunds, refund_transactions) VALUES ${rows}
      ON CONFLICT (id, w) DO UPDATE SET updated_at = excluded.updated_at, total = excluded.total, tax = excluded.tax, discounts = excluded.discounts, refunded = excluded.refunded, charges = excluded.charges, edited = excluded.edited, ${sums}`);
    this.#children = new Load(db, 6, (rows) => `INSERT INTO orders (w, id, lines, shipping, refunds, refund_transactions) VALUES ${rows} ON CONFLICT (id, w) DO UPDATE SET ${sums}`);
  }

  /** The order entry at `i` of `entries` (its id, then its figures), in window `w`. */
  order(w: number, entries: Float64Array, i: number): void {
    const at = this.#row(w, entries[i]!);
    const numbers = this.#numbers;
    for (let k = 0; k < ID; k++) numbers[at + k] = entries[i + 1 + k]!;
    numbers[at + ENTRY] = 1;
  }

  /** A child table's sum for order `id`, in window `w`. */
  child(w: number, table: string, id: number, cents: number): void {
    const column = CHILD[table];
    if (column === undefined) throw new Error(`the checks have no column for ${table}'s sums`);
    this.#numbers[this.#row(w, id) + column]! += cents;
  }

  /** Writes the orders gathered (window `w`'s). */
  flush(w: number): void {
    const numbers = this.#numbers;
    for (let at = 0; at < this.#count * ROW; at += ROW) {
      if (numbers[at + ENTRY] === 1) this.#entries.add(w, numbers, at);
      else this.#children.add(w, numbers, at + ID);
    }
    numbers.fill(0, 0, this.#count * ROW);
    this.#slots.fill(0);
    this.#count = 0;
    this.#entries.flush();
    this.#children.flush();
  }

  /** Order `id`'s offset in #numbers, a new slot (zeros) when it is not gathered yet. */
  #row(w: number, id: number): number {
    const slots = this.#slots;
    const numbers = this.#numbers;
    // Half the table's places stay free, so a search ends soon.
    for (let p = Math.abs(id % slots.length); ; p = (p + 1) % slots.length) {
      const slot = slots[p]!;
      if (slot !== 0 && numbers[(slot - 1) * ROW + ID] === id) return (slot - 1) * ROW;
      if (slot !== 0) continue;
      if (this.#count === GATHER) {
        this.flush(w);
        return this.#row(w, id);
      }
      slots[p] = ++this.#count;
      const at = (this.#count - 1) * ROW;
      numbers[at + ID] = id;
      return at;
    }
  }
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
 * Line items (before discounts) + shipping lines (before discounts) + taxes + tip + duties + additional
 * fees (as placed) − discounts (Shopify's totalDiscounts holds line and shipping discounts) = total, as
 * Shopify's totalPriceSet holds them all. A shop pricing with taxes included has them inside its prices
 * already: its orders pass when the sum without taxes is the total.
 * Edited orders (Shopify's Order.edited) are left out and counted as skipped: an edit keeps a line it
 * removed on the order with its original_total as placed, while the total is after the edit, and no
 * line item's row tells removed units from refunded ones; the edit's sales in the ledger would.
 */
function orderTotals(db: Database.Database): QualityCheck {
  const skipped = (db.prepare('SELECT COUNT(*) AS n FROM current WHERE edited <> 0').get() as { n: number }).n;
  const checked = (db.prepare('SELECT COUNT(*) AS n FROM current WHERE edited = 0').get() as { n: number }).n;
  const failing = db.prepare('SELECT id, total, lines + shipping + tax + charges - discounts AS computed FROM current WHERE edited = 0 AND total NOT IN (lines + shipping + tax + charges - discounts, lines + shipping + charges - discounts) ORDER BY id');
  const check = report('order_totals', checked, failing, (r) => ({ order_id: String(r.id), total: decimal(r.total as number), computed: decimal(r.computed as number) }));
  return { ...check, skipped, note: 'edited orders are skipped: an edit keeps the lines it removed at their original total while the order total is after the edit' };
}

/** Per order with a refund or a refund transaction: its refunds' totals = its successful REFUND transactions. */
function refundTransactions(db: Database.Database): QualityCheck {
  const checked = (db.prepare('SELECT COUNT(*) AS n FROM current WHERE refunds <> 0 OR refund_transactions <> 0').get() as { n: number }).n;
  const failing = db.prepare('SELECT id, refunds, refund_transactions FROM current WHERE (refunds <> 0 OR refund_transactions <> 0) AND refunds <> refund_transactions ORDER BY id');
  return report('refund_transactions', checked, failing, (r) => ({ order_id: String(r.id), refunds: decimal(r.refunds as number), refund_transactions: decimal(r.refund_transactions as number) }));
}

/**
 * Per payout (its newest copy): its net (negative for a WITHDRAWAL) = the net of the balance transactions
 * it paid out. Those are
 * their own entity's snapshot: the newest the run read, and none checked when the run read none.
 */
function payoutBalances(db: Database.Database, balanceRead: boolean): QualityCheck {
  const payouts = `SELECT p.id, p.net, COALESCE(b.cents, 0) AS balance FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY w DESC) AS n FROM payouts) p
    LEFT JOIN balance b ON b.id = p.id AND b.w = (SELECT MAX(w) FROM balance) WHERE p.n = 1 AND ${balanceRead ? 1 : 0}`;
  const checked = (db.prepare(`SELECT COUNT(*) AS n FROM (${payouts})`).get() as { n: number }).n;
  const failing = db.prepare(`SELECT id, net, balance FROM (${payouts}) WHERE net <> balance ORDER BY id`);
  return report('payout_balance_transactions', checked, failing, (r) => ({ payout_id: String(r.id), net: decimal(r.net as number), balance_transactions: decimal(r.balance as number) }));
}
