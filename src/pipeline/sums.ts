// What the financial accuracy checks (src/sync/quality.ts) need from a batch's rows, read where the
// rows are written: from each NDJSON row as soon as it is written (RowSums), or from a table's
// Parquet column builders before their pages are made, so the checks never read the published files
// again (that pass inflated every order part after the run: ~3.5 s of CPU and +30 MiB at 500 MB of
// orders) and check both formats alike.
// Per table, a flat Float64Array: per order its id, updated_at (ms), total, tax, discounts, refunded,
// charges (its tip, duties and additional fees, which its total holds: duties not when its prices
// include them) and edited (1 when an edit was applied to it, else 0);
// per payout its id and signed net; per child table (id, cents) pairs, a parent's adjacent rows summed
// (the bulk JSONL gives a parent's children one after the other). Ids are below 2^53 (Shopify's are 13
// digits) and amounts are whole cents, so doubles hold both exactly.

import type { TablePages } from '../parquet/encode.ts';
import { DECIMAL_SCALE } from '../parquet/schema.ts';
import { timestampMs } from '../rows/tape-values.ts';

/** A row's columns as the checks read them. */
interface Row {
  /** A string column's value is `text` (as bytes). */
  is(key: Key, text: Buffer): boolean;
  /** An id column as a number; NaN when null or absent. */
  id(key: Key): number;
  /** An amount in whole cents (what Math.round(Number(amount) * 100) gives), 0 when null or absent. */
  cents(key: Key): number;
  /** A timestamp column in epoch milliseconds; NaN when null or absent. */
  time(key: Key): number;
  /** A boolean column is true (not false, null or absent). */
  flag(key: Key): boolean;
}

/**
 * A row of a batch's NDJSON, read by column without parsing it: bytes [start, end) of the table's
 * buffer. Its columns are looked for from where the last one read was found, then from the row's
 * start: the tables' reads follow their column order, so each search covers only the bytes between
 * two of them. The search is a loop here, not Buffer.indexOf: a call of that per column read, and a
 * Buffer per row to bound it, cost the workers about a tenth of their time (README, Performance).
 */
class RowReader implements Row {
  line: Buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  #from = 0;
  /** Where the row's columns begin, by place in the table's columns (RowOut.beginColumn), or null; and per key (Key.id) its place there, or -1. */
  #marks: Int32Array | null = null;
  readonly #places: Int32Array;

  constructor(places: Int32Array) {
    this.#places = places;
  }

  /** The next row: bytes [start, end) of `line`, and where the writer noted its columns begin (null: nowhere). */
  reset(line: Buffer, start: number, end: number, marks: Int32Array | null): void {
    this.line = line;
    this.#start = start;
    this.#end = end;
    this.#from = start;
    this.#marks = marks;
  }

  #at(key: Key): number {
    // Where the writer noted the column, once its key is seen there: no search.
    const place = this.#marks === null ? -1 : this.#places[key.id]!;
    if (place >= 0) {
      const mark = this.#marks![place]!;
      if (mark >= this.#start && this.#keyAt(key, mark)) return (this.#from = mark + key.bytes.length);
    }
    let at = this.#search(key, this.#from);
    if (at < 0 && this.#from > this.#start) at = this.#search(key, this.#start);
    if (at >= 0) this.#from = at;
    return at;
  }

  #keyAt(key: Key, at: number): boolean {
    const { bytes } = key;
    if (at + bytes.length > this.#end) return false;
    for (let i = 0; i < bytes.length; i++) if (this.line[at + i] !== bytes[i]) return false;
    return true;
  }

  /**
   * Where the value after `needle` starts, looking from `from` within the row; -1 when it is not there.
   * Horspool's search: the row's byte under the needle's last (its colon) says how far the needle can
   * move on, nearly always its whole length, since a colon ends every key and little else.
   */
  #search(needle: Key, from: number): number {
    const { bytes, skip } = needle;
    const line = this.line;
    const n = bytes.length;
    const lastByte = bytes[n - 1]!;
    for (let i = from, last = this.#end - n; i <= last; ) {
      const c = line[i + n - 1]!;
      if (c === lastByte) {
        let k = 0;
        while (k < n - 1 && line[i + k] === bytes[k]) k++;
        if (k === n - 1) return i + n;
      }
      i += skip[c]!;
    }
    return -1;
  }

  /** A string column's value is `text` (as bytes; compared here: an enum name, where Buffer.compare is a call into C++). */
  is(key: Key, text: Buffer): boolean {
    const at = this.#at(key);
    const { line } = this;
    if (at < 0 || line[at] !== 0x22 || line[at + 1 + text.length] !== 0x22) return false;
    for (let i = 0; i < text.length; i++) if (line[at + 1 + i] !== text[i]) return false;
    return true;
  }

  /** An id column (a string of digits) as a number; NaN when null or absent. */
  id(key: Key): number {
    const at = this.#at(key);
    const { line } = this;
    if (at < 0 || line[at] !== 0x22) return NaN;
    let n = 0;
    let i = at + 1;
    for (let c = line[i]!; c >= 0x30 && c <= 0x39; c = line[++i]!) n = n * 10 + (c - 0x30);
    return line[i] === 0x22 && i > at + 1 ? n : NaN;
  }

  /**
   * An amount (a decimal string or a number) in whole cents, 0 when null or absent: what
   * Math.round(Number(amount) * 100) gives, read from the digits when there are at most two after the
   * point (the usual), through Number otherwise.
   */
  cents(key: Key): number {
    const at = this.#at(key);
    // Absent or null (`n` starts no other value): 0, without making a string of it.
    if (at < 0 || this.line[at] === 0x6e) return 0;
    const { line } = this;
    const quoted = line[at] === 0x22;
    let i = quoted ? at + 1 : at;
    const negative = line[i] === 0x2d;
    if (negative) i++;
    let whole = 0;
    let digits = 0;
    for (let c = line[i]!; c >= 0x30 && c <= 0x39; c = line[++i]!, digits++) whole = whole * 10 + (c - 0x30);
    let fraction = 0;
    let places = 0;
    if (line[i] === 0x2e) for (let c = line[++i]!; c >= 0x30 && c <= 0x39; c = line[++i]!) if (++places <= 2) fraction = fraction * 10 + (c - 0x30);
    const close = line[i];
    if (digits > 0 && places <= 2 && whole < 2 ** 40 && (quoted ? close === 0x22 : close === 0x2c || close === 0x7d)) {
      const c = whole * 100 + (places === 1 ? fraction * 10 : fraction);
      return negative ? -c : c;
    }
    const text = valueText(line, at);
    return text === null ? 0 : Math.round(Number(text) * 100);
  }

  time(key: Key): number {
    const at = this.#at(key);
    if (at < 0) return NaN;
    const ms = timestampMs(this.line, at);
    return Number.isNaN(ms) ? Date.parse(valueText(this.line, at) ?? '') : ms;
  }

  flag(key: Key): boolean {
    const at = this.#at(key);
    return at >= 0 && this.line[at] === 0x74;
  }
}

/** What one table's row gives the checks: it appends its entry's numbers to `out` (nothing for a row without one). */
interface TableSums {
  /** Numbers per entry. */
  width: number;
  /** Adjacent entries with the same first number are one entry whose others are summed. */
  summed: boolean;
  read(row: Row, out: Numbers): void;
}

/**
 * The numbers of a table's batch as they are read: doubles in a Float64Array that grows. An array of
 * numbers, shortened after every merged child row, made the workers reallocate its store again and again.
 */
class Numbers {
  values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** An entry of two: an id and an amount. */
  pair(id: number, amount: number): void {
    this.push(id);
    this.push(amount);
  }
}

/**
 * A column the checks read: its name (how a Parquet table's builders find it) and `"name":` as bytes
 * (the needle RowReader looks for), with `skip`, per byte, how far Horspool's search moves on when that
 * byte is under the needle's last. Made once per column, when SUMS is (a lookup per read was a tenth of
 * the sums' time).
 */
interface Key {
  /** Its number among the keys (RowReader's places). */
  id: number;
  name: string;
  bytes: Buffer;
  skip: Int32Array;
}
const keys = new Map<string, Key>();

function keyOf(name: string): Key {
  let key = keys.get(name);
  if (key === undefined) {
    const bytes = Buffer.from(`"${name}":`);
    const skip = new Int32Array(256).fill(bytes.length);
    for (let i = 0; i < bytes.length - 1; i++) skip[bytes[i]!] = bytes.length - 1 - i;
    keys.set(name, (key = { id: keys.size, name, bytes, skip }));
  }
  return key;
}

const REFUND = Buffer.from('REFUND');
const SUCCESS = Buffer.from('SUCCESS');
const WITHDRAWAL = Buffer.from('WITHDRAWAL');
const ORDER_AMOUNTS = ['total_price', 'total_tax', 'total_discounts', 'total_refunded'].map(keyOf);
/** An order's amounts that its total holds beyond its lines, shipping and taxes: one sum in its entry. */
const ORDER_CHARGES = ['total_tip_received', 'original_total_duties', 'original_total_additional_fees'].map(keyOf);
const [ID, UPDATED_AT, DUTIES_INCLUDED, ORIGINAL_TOTAL_DUTIES, EDITED, ORDER_ID, KIND, STATUS, AMOUNT, TRANSACTION_TYPE, NET] =
  ['id', 'updated_at', 'duties_included', 'original_total_duties', 'edited', 'order_id', 'kind', 'status', 'amount', 'transaction_type', 'net'].map(keyOf) as [Key, Key, Key, Key, Key, Key, Key, Key, Key, Key, Key];

const child = (parentName: string, amountName: string): TableSums => {
  const [parent, amount] = [keyOf(parentName), keyOf(amountName)];
  return {
    width: 2,
    summed: true,
    read: (r, out) => {
      const id = r.id(parent);
      if (!Number.isNaN(id)) out.pair(id, r.cents(amount));
    },
  };
};

/** The tables the checks read, and what each gives. */
export const SUMS: Readonly<Record<string, TableSums>> = {
  orders: {
    width: 8,
    summed: false,
    read: (r, out) => {
      out.push(r.id(ID));
      out.push(r.time(UPDATED_AT));
      for (const amount of ORDER_AMOUNTS) out.push(r.cents(amount));
      let charges = 0;
      for (const amount of ORDER_CHARGES) charges += r.cents(amount);
      // Duties included in the prices are in the line items' already.
      out.push(r.flag(DUTIES_INCLUDED) ? charges - r.cents(ORIGINAL_TOTAL_DUTIES) : charges);
      out.push(r.flag(EDITED) ? 1 : 0);
    },
  },
  order_line_items: child('order_id', 'original_total'),
  order_shipping_lines: child('order_id', 'original_price'),
  order_refunds: child('order_id', 'total_refunded'),
  order_transactions: {
    width: 2,
    summed: true,
    read: (r, out) => {
      const id = r.id(ORDER_ID);
      if (!Number.isNaN(id) && r.is(KIND, REFUND) && r.is(STATUS, SUCCESS)) out.pair(id, r.cents(AMOUNT));
    },
  },
  // A WITHDRAWAL takes its net from the bank: its balance transactions net that much below zero.
  payouts: { width: 2, summed: false, read: (r, out) => out.pair(r.id(ID), (r.is(TRANSACTION_TYPE, WITHDRAWAL) ? -1 : 1) * r.cents(NET)) },
  balance_transactions: child('payout_id', 'net'),
};

/** The value starting at `at` as a string, null for null. */
function valueText(line: Buffer, at: number): string | null {
  if (line[at] === 0x22) return line.toString('utf8', at + 1, line.indexOf(0x22, at + 1));
  let to = at;
  while (to < line.length && line[to] !== 0x2c && line[to] !== 0x7d) to++;
  const value = line.toString('latin1', at, to);
  return value === 'null' ? null : value;
}

/**
 * The checks' numbers of one table's NDJSON rows, taken as each row is written (its text is then in
 * the cache): a column is read where the writer noted it begins, once its `"name":` is seen there, and
 * searched for otherwise (a row the general path wrote).
 */
export class RowSums {
  readonly #spec: TableSums;
  readonly #out = new Numbers();
  readonly #row: RowReader;

  constructor(spec: TableSums, places: Int32Array) {
    this.#spec = spec;
    this.#row = new RowReader(places);
  }

  /** Row bytes [start, end) of `line` (its newline excluded); `marks`: where its columns begin, by place in the table's columns (null: not noted). */
  row(line: Buffer, start: number, end: number, marks: Int32Array | null): void {
    this.#row.reset(line, start, end, marks);
    take(this.#spec, this.#row, this.#out);
  }

  values(): Float64Array {
    return this.#out.values.slice(0, this.#out.length);
  }
}

/** A RowSums for a table with these columns (TableDef.columns' names, in order), or undefined for a table the checks do not read. */
export function rowSums(table: string, columns: readonly string[]): RowSums | undefined {
  const spec = SUMS[table];
  if (spec === undefined) return undefined;
  const places = new Int32Array(keys.size).fill(-1);
  for (const key of keys.values()) places[key.id] = columns.indexOf(key.name);
  return new RowSums(spec, places);
}

/** The same numbers from a Parquet table's column builders (their rows so far), or undefined for a table the checks do not read. */
export function pageSums(table: string, pages: TablePages): Float64Array | undefined {
  const spec = SUMS[table];
  if (spec === undefined) return undefined;
  const out = new Numbers();
  const row = new PageRow(pages);
  for (let r = 0; r < pages.rows; r++) {
    row.row = r;
    take(spec, row, out);
  }
  return out.values.slice(0, out.length);
}

/** Appends the row's entry, or adds it to the previous one when that is the same parent's. */
function take(spec: TableSums, row: Row, out: Numbers): void {
  const at = out.length;
  spec.read(row, out);
  const last = at - spec.width;
  const values = out.values;
  if (spec.summed && out.length > at && last >= 0 && values[last] === values[at]) {
    for (let i = 1; i < spec.width; i++) values[last + i]! += values[at + i]!;
    out.length = at;
  }
}

type PageColumn = NonNullable<ReturnType<TablePages['column']>>;

/**
 * A row of a Parquet table's builders: each column read is found once per batch, with where each row's
 * value lies in its PLAIN values (-1 for a null).
 */
class PageRow implements Row {
  row = 0;
  readonly #pages: TablePages;
  readonly #columns = new Map<string, { column: PageColumn; at: Int32Array } | null>();

  constructor(pages: TablePages) {
    this.#pages = pages;
  }

  #value(key: Key): { column: PageColumn; at: number } | null {
    let found = this.#columns.get(key.name);
    if (found === undefined) {
      const column = this.#pages.column(key.name);
      if (column) {
        const at = new Int32Array(this.#pages.rows);
        const size = column.type === 'NUMERIC' ? 16 : column.type === 'BOOLEAN' ? 1 : 8;
        for (let r = 0, pos = 0; r < at.length; r++) {
          if (column.defs[r] !== column.maxDef) {
            at[r] = -1;
            continue;
          }
          at[r] = pos;
          pos += column.type === 'STRING' ? 4 + column.values.readUInt32LE(pos) : size;
        }
        found = { column, at };
      } else found = null;
      this.#columns.set(key.name, found);
    }
    const at = found?.at[this.row] ?? -1;
    return found && at >= 0 ? { column: found.column, at } : null;
  }

  is(key: Key, text: Buffer): boolean {
    const v = this.#value(key);
    if (v === null || v.column.type !== 'STRING') return false;
    const { values } = v.column;
    return values.readUInt32LE(v.at) === text.length && values.compare(text, 0, text.length, v.at + 4, v.at + 4 + text.length) === 0;
  }

  id(key: Key): number {
    const v = this.#value(key);
    return v === null || v.column.type !== 'INTEGER' ? NaN : v.column.values.readUInt32LE(v.at) + v.column.values.readInt32LE(v.at + 4) * 2 ** 32;
  }

  cents(key: Key): number {
    const v = this.#value(key);
    if (v === null) return 0;
    const { values } = v.column;
    // DECIMAL(38, 9): the unscaled value, big-endian in 16 bytes.
    if (v.column.type === 'NUMERIC') return Math.round(Number((values.readBigInt64BE(v.at) << 64n) + values.readBigUInt64BE(v.at + 8)) / 10 ** (DECIMAL_SCALE - 2));
    if (v.column.type === 'FLOAT') return Math.round(values.readDoubleLE(v.at) * 100);
    return v.column.type === 'INTEGER' ? (values.readUInt32LE(v.at) + values.readInt32LE(v.at + 4) * 2 ** 32) * 100 : 0;
  }

  flag(key: Key): boolean {
    const v = this.#value(key);
    // BOOLEAN: a byte each until the page packs them.
    return v !== null && v.column.type === 'BOOLEAN' && v.column.values[v.at] === 1;
  }

  time(key: Key): number {
    const v = this.#value(key);
    // TIMESTAMP: microseconds, INT64.
    return v === null || v.column.type !== 'TIMESTAMP' ? NaN : Math.floor((v.column.values.readUInt32LE(v.at) + v.column.values.readInt32LE(v.at + 4) * 2 ** 32) / 1000);
  }
}
