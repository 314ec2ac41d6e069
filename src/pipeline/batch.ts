// One batch of whole JSONL lines → per-table compressed segments. Runs in a worker thread (pure and
// synchronous, like the processors it calls); knows only line numbers within its batch, so a failure
// is returned as data and the main thread, which knows how many lines came before, names the line.
import { EtlError, ErrorCodes, isEtlError, type ErrorCode } from '../errors/index.ts';
import { isUtf8 } from 'node:buffer';
import type { QueryPart as Entity } from '../entities/types.ts';
import type { ByteRows, ByteSink, JsonObject, LineInfo, Row, RowOut, TableDef } from '../rows/types.ts';
import type { Tape } from '../rows/tape.ts';
import { COMMA, constant, putByte, putConst, putGidNumber, putRaw, putString, putText, timestampMs, type Constant } from '../rows/tape-values.ts';
import type { TablePages } from '../parquet/encode.ts';
import { keepPages, parquetSegment, takePages } from '../parquet/segment.ts';
import { encodeSegment, type Segment } from './segment.ts';
import { pageSums, rowSums, type RowSums } from './sums.ts';

/** Stamped on every row: the shop's myshopify domain (`_shop`), the run, and when the window's data was read (`_extracted_at`); and the shop's currency where a table names it (TableDef.shopCurrencyColumns). */
export interface RunStamp {
  shop: string;
  runId: string;
  extractedAt: string;
  currency: string;
  /** Parquet pages instead of gzip NDJSON segments (--format parquet); absent for NDJSON. */
  format?: 'parquet';
}

export interface BatchResult {
  ok: true;
  /** Physical lines in the batch, empty ones included (line numbers continue from here). */
  physicalLines: number;
  /** Non-empty lines (compared with objectCount), and those without __parentId. */
  lines: number;
  rootLines: number;
  /** Highest root cursor (updatedAt) as written, and its time, or null. */
  maxCursor: string | null;
  maxCursorMs: number;
  /** Tables in the order the entity declares them; only tables that got rows. */
  segments: Array<{ table: string; segment: Segment }>;
  /** Counted children (QueryPart.countedChildren) met in the batch: the parent's id, its count if its line was here, the child lines here. */
  children: ChildTally[];
}

export type ChildTally = [parent: string, counted: number | null, read: number];

export interface BatchFailure {
  ok: false;
  /** 1-based line within the batch. */
  line: number;
  code: ErrorCode;
  /** Completes "<entity> JSONL line <n>…". */
  message: string;
  details: Record<string, unknown>;
}

const EXCERPT = 120;
const NL = 0x0a;
const CR = 0x0d;

export function excerpt(line: string): string {
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line;
}

const NULL_TEXT = constant('null');
const TRUE_TEXT = constant('true');
const FALSE_TEXT = constant('false');

/** One table's NDJSON for the batch, as UTF-8 in a buffer kept from batch to batch (no string per batch); each column `"name":value,`. */
class TableOutput implements ByteRows, RowOut {
  rows = 0;
  /** Where each row ends (past its newline): what reads the rows after the batch (their ids, the quality sums) needs, without searching for line ends. */
  ends = new Int32Array(256);
  length = 0;
  buf: Buffer;
  view: DataView;
  readonly #close: Buffer;
  #rowStart = 0;
  /** The quality checks' numbers of a table they read, taken as each row ends; and where the row's columns begin (beginColumn()). */
  readonly sums: RowSums | undefined;
  readonly #marks: Int32Array | null;

  /** `close` ends a row whose entity columns are written (see TableRows); `columns`, the table's. */
  constructor(buf: Buffer, close: Buffer, sums: RowSums | undefined, columns: number) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.#close = close;
    this.sums = sums;
    this.#marks = sums === undefined ? null : new Int32Array(columns).fill(-1);
  }

  reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; write() would silently stop at the buffer's end.
    this.reserve(text.length * 3);
    this.length += this.buf.write(text, this.length);
  }

  begin(): void {
    this.#rowStart = this.length;
  }

  rollback(): void {
    this.length = this.#rowStart;
  }

  endRow(): void {
    this.reserve(this.#close.length);
    this.length += this.#close.copy(this.buf, this.length);
    this.rowEnded(this.#rowStart, this.#marks);
  }

  beginColumn(index: number): void {
    if (this.#marks !== null) this.#marks[index] = this.length;
  }

  /** Counts the row [start, the buffer's length), and takes its numbers for the checks; `marks`, where its columns begin, if noted. */
  rowEnded(start: number, marks: Int32Array | null): void {
    if (this.rows === this.ends.length) {
      const grown = new Int32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.rows++] = this.length;
    this.sums?.row(this.buf, start, this.length - 1, marks);
  }

  open(): void {
    putByte(this, 0x7b);
  }

  /** `}` over the last column's comma. */
  close(): void {
    if (this.buf[this.length - 1] === COMMA) this.buf[this.length - 1] = 0x7d;
    else putByte(this, 0x7d);
  }

  null(key: Constant): void {
    putConst(this, key);
    putConst(this, NULL_TEXT);
    putByte(this, COMMA);
  }

  raw(key: Constant, tape: Tape, node: number): void {
    putConst(this, key);
    putRaw(this, tape, node);
    putByte(this, COMMA);
  }

  string(key: Constant | null, tape: Tape, node: number): void {
    if (key === null) return putString(this, tape, node);
    putConst(this, key);
    putString(this, tape, node);
    putByte(this, COMMA);
  }

  gidNumber(key: Constant, tape: Tape, node: number): boolean {
    putConst(this, key);
    if (!putGidNumber(this, tape, node)) return false;
    putByte(this, COMMA);
    return true;
  }

  number(key: Constant, value: number): void {
    putConst(this, key);
    putText(this, String(value));
    putByte(this, COMMA);
  }

  boolean(key: Constant, value: boolean): void {
    putConst(this, key);
    putConst(this, value ? TRUE_TEXT : FALSE_TEXT);
    putByte(this, COMMA);
  }

  listStart(key: Constant): void {
    putConst(this, key);
    putByte(this, 0x5b);
  }

  listNext(): void {
    putByte(this, COMMA);
  }

  listEnd(): void {
    putByte(this, 0x5d);
    putByte(this, COMMA);
  }
}

/** A table's column names, made once per table (TableRows is made per batch). */
const names = new WeakMap<TableDef, readonly string[]>();
const columnNames = (t: TableDef): readonly string[] => names.get(t) ?? names.set(t, t.columns.map((c) => c.name)).get(t)!;

// Per thread, kept between batches: a table's buffer is free again once its segment is compressed (the
// segment's bytes are deflate's own). Each grows to the largest text a batch gave its table.
const scratch = new Map<string, Buffer>();
const FIRST_SCRATCH_BYTES = 64 * 1024;

/** Rows of one batch per table, stamped and written out as they come: as NDJSON, or (--format parquet) as Parquet column values. */
export class TableRows implements ByteSink {
  readonly #tables = new Map<string, TableOutput | TablePages>();
  readonly #entity: Entity;
  readonly #stamp: RunStamp;
  readonly #currencyColumns = new Map<string, readonly string[]>();
  /** Tables whose row ids go back with their segments: an incremental entity's id-set tables. */
  readonly #idTables: ReadonlySet<string>;
  readonly #children = new Map<string, ChildTally>();

  constructor(entity: Entity, stamp: RunStamp) {
    this.#entity = entity;
    this.#stamp = stamp;
    this.#idTables = new Set(entity.incremental ? entity.deletes?.tables : []);
    const run = `"_shop":${JSON.stringify(stamp.shop)},"_run_id":${JSON.stringify(stamp.runId)},"_extracted_at":${JSON.stringify(stamp.extractedAt)}}\n`;
    for (const t of entity.tables) {
      const currency = t.shopCurrencyColumns ?? [];
      this.#currencyColumns.set(t.name, currency);
      // Taken out while in use, so two batches alive at once (never in a worker) cannot share a buffer.
      const key = `${entity.name}/${t.name}`;
      if (stamp.format === 'parquet') {
        this.#tables.set(t.name, takePages(key, t, stamp.currency, stamp.extractedAt));
        continue;
      }
      // What closes a row the byte path wrote (its _extra is null): exactly the end JSON.stringify gives a stamped row.
      const close = `"_extra":null,${currency.map((c) => `${JSON.stringify(c)}:${JSON.stringify(stamp.currency)},`).join('')}${run}`;
      const buf = scratch.get(key);
      scratch.delete(key);
      this.#tables.set(t.name, new TableOutput(buf ?? Buffer.allocUnsafeSlow(FIRST_SCRATCH_BYTES), Buffer.from(close), rowSums(t.name, columnNames(t)), t.columns.length));
    }
  }

  row(table: string, row: Row): void {
    const t = this.#table(table);
    for (const c of this.#currencyColumns.get(table)!) row[c] = this.#stamp.currency;
    if (t instanceof TableOutput) {
      row._shop = this.#stamp.shop;
      row._run_id = this.#stamp.runId;
      row._extracted_at = this.#stamp.extractedAt;
      const start = t.length;
      t.write(`${JSON.stringify(row)}\n`);
      t.rowEnded(start, null);
      return;
    }
    // A Parquet part's path holds the shop and run (its hive columns), so its rows leave them out.
    row._extracted_at = this.#stamp.extractedAt;
    const text = Buffer.from(JSON.stringify(row));
    t.add(text, 0, text.length);
  }

  bytes(table: string): RowOut {
    return this.#table(table);
  }

  childrenCounted(parent: string, count: number): void {
    this.#tally(parent)[1] = count;
  }

  childRead(parent: string): void {
    this.#tally(parent)[2]++;
  }

  #tally(parent: string): ChildTally {
    let tally = this.#children.get(parent);
    if (!tally) this.#children.set(parent, (tally = [parent, null, 0]));
    return tally;
  }

  /** The counted children met so far. */
  children(): ChildTally[] {
    return [...this.#children.values()];
  }

  #table(table: string): TableOutput | TablePages {
    const t = this.#tables.get(table);
    if (!t) throw new EtlError(ErrorCodes.INTERNAL, `${this.#entity.name} emitted a row for undeclared table ${table}`);
    return t;
  }

  /** Compresses each table that got rows (gzip, or Parquet pages), in the order the entity declares them; keeps the buffers for the next batch. */
  encode(level: number): Array<{ table: string; segment: Segment }> {
    const out: Array<{ table: string; segment: Segment }> = [];
    for (const [table, t] of this.#tables) {
      const key = `${this.#entity.name}/${table}`;
      if (t instanceof TableOutput) {
        scratch.set(key, t.buf);
        if (t.rows === 0) continue;
        const segment = encodeSegment(t.buf.subarray(0, t.length), t.rows, level);
        if (this.#idTables.has(table)) segment.ids = rowIds(t.buf, t.ends, t.rows);
        if (t.sums) segment.sums = t.sums.values();
        out.push({ table, segment });
        continue;
      }
      if (t.rows === 0) {
        keepPages(key, t);
        continue;
      }
      const ids = this.#idTables.has(table) ? t.ids() : undefined;
      const sums = pageSums(table, t);
      const segment = parquetSegment(key, t);
      if (ids) segment.ids = ids;
      if (sums) segment.sums = sums;
      out.push({ table, segment });
    }
    return out;
  }
}

const ID_PREFIX = Buffer.from('{"id":"');
const QUOTE = 0x22;

/**
 * The ids of a table's rows, read from their NDJSON (row r is [ends[r - 1], ends[r]) of buf): every row
 * starts with its `id` column, a string of digits (spec.ts puts id() first). Ids are below 2^53
 * (Shopify's are 13 digits), so a double holds them exactly; a row without one (never for these
 * tables) is left out.
 */
function rowIds(buf: Buffer, ends: Int32Array, rows: number): Float64Array {
  const ids = new Float64Array(rows);
  let n = 0;
  for (let r = 0, start = 0; r < rows; start = ends[r++]!) {
    if (!startsWith(buf, start, ID_PREFIX)) continue;
    const end = ends[r]!;
    let id = 0;
    let i = start + ID_PREFIX.length;
    for (let c = buf[i]!; c !== QUOTE && i < end; c = buf[++i]!) id = id * 10 + (c - 0x30);
    ids[n++] = id;
  }
  return n === rows ? ids : ids.subarray(0, n);
}

/** Whether buf holds `prefix` at `at`: compared here, a few bytes, where Buffer.compare is a call into C++ per row. */
function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > buf.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

export function processBatch(entity: Entity, stamp: RunStamp, bytes: Uint8Array, gzipLevel: number): BatchResult | BatchFailure {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new TableRows(entity, stamp);
  const cursorField = entity.incremental?.cursorField;
  // The byte path takes a line only if its bytes are valid UTF-8; checked once for the batch.
  const transcode = entity.transcode !== undefined && isUtf8(buf) ? entity.transcode : undefined;
  const line: LineInfo = { root: false, cursor: null, cursorAt: -1 };
  let physical = 0;
  let lines = 0;
  let rootLines = 0;
  let maxCursor: string | null = null;
  let maxCursorMs = -Infinity;
  for (let start = 0; start < buf.length; ) {
    physical++;
    // The byte path finds the end of a line it takes as it scans it; any other line is found and parsed.
    let end = -1;
    try {
      if (transcode !== undefined) end = transcode(buf, start, buf.length, out, cursorField, line);
    } catch (err) {
      return processorFailure(physical, err, buf.toString('utf8', start, lineEnd(buf, start)));
    }
    let next: number;
    if (end !== -1) {
      next = buf[end] === CR ? end + 2 : end + 1;
    } else {
      end = lineEnd(buf, start);
      next = end + 1;
      if (end > start && buf[end - 1] === CR) end--;
      const failure = end > start ? parseAndProcess(entity, buf, start, end, out, cursorField, line, physical) : undefined;
      if (failure) return failure;
    }
    if (end > start) {
      lines++;
      if (line.root) {
        rootLines++;
        // A cursor in the line's bytes is read there, and made a string only when it is the latest so far.
        let cursor = line.cursor;
        let ms = line.cursorAt === -1 ? NaN : timestampMs(buf, line.cursorAt);
        if (line.cursorAt !== -1 && Number.isNaN(ms)) cursor = stringAt(buf, line.cursorAt);
        if (cursor !== null) ms = Date.parse(cursor);
        if (ms > maxCursorMs) {
          maxCursorMs = ms;
          maxCursor = cursor ?? stringAt(buf, line.cursorAt);
        }
      }
    }
    start = next;
  }
  const segments = out.encode(gzipLevel);
  return { ok: true, physicalLines: physical, lines, rootLines, maxCursor, maxCursorMs, segments, children: out.children() };
}

/** Where the line at `start` ends: its newline, or the batch's end. */
function lineEnd(buf: Buffer, start: number): number {
  const end = buf.indexOf(NL, start);
  return end === -1 ? buf.length : end;
}

/** The JSON string without escapes whose opening quote is at `at`. */
function stringAt(buf: Buffer, at: number): string {
  return buf.toString('utf8', at + 1, buf.indexOf(0x22, at + 1));
}

/** A line the byte path did not take: JSON.parse and the entity's processor. Fills `line` as the byte path does. */
function parseAndProcess(entity: Entity, buf: Buffer, start: number, end: number, out: TableRows, cursorField: string | undefined, line: LineInfo, physical: number): BatchFailure | undefined {
  // Each line is decoded on its own: one string per batch would be megabytes in V8's old generation
  // for every batch, and make the worker run full garbage collections over and over.
  const text = buf.toString('utf8', start, end);
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return malformed(physical, ` is not valid JSON (${(err as Error).message}): ${excerpt(text)}`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return malformed(physical, ` is not a JSON object: ${excerpt(text)}`);
  const obj = record as JsonObject;
  line.root = obj.__parentId === undefined;
  const cursor = cursorField === undefined ? undefined : obj[cursorField];
  line.cursor = line.root && typeof cursor === 'string' ? cursor : null;
  line.cursorAt = -1;
  try {
    entity.process(obj, out);
  } catch (err) {
    return processorFailure(physical, err, text);
  }
  return undefined;
}

function malformed(line: number, message: string): BatchFailure {
  return { ok: false, line, code: ErrorCodes.MALFORMED_JSONL, message, details: {} };
}

function processorFailure(line: number, err: unknown, text: string): BatchFailure {
  if (isEtlError(err)) return { ok: false, line, code: err.code, message: `: ${err.message}`, details: { ...err.details, excerpt: excerpt(text) } };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, line, code: ErrorCodes.INTERNAL, message: `: processor failed: ${message}`, details: { excerpt: excerpt(text) } };
}
