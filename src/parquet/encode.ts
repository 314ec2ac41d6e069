// One table's rows of one batch → one Parquet data page per leaf column, zstd-compressed, in a
// worker. Rows come two ways, both shredded (Dremel's repetition and definition levels) straight into
// per-column builders, with no row object: from the byte path, as the table's RowOut (rows/types.ts),
// whose kinds give each column's value in schema order as a node of the line's tape (a string without
// escapes is copied as the UTF-8 bytes it already is; ids, decimals and `…Z` timestamps are read from
// their digits); and from the general path, as the JSON text of a row, scanned once guided by the
// table's schema. The main thread (file.ts) only appends pages into row groups and writes the footer.
// Encodings: PLAIN values, RLE levels (a page compresses with zstd, which takes the repetition PLAIN
// leaves); see the README for why no dictionary.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { DECIMAL_SCALE, HIVE_COLUMNS, Repetition, type Leaf, type LeafType, type Node, type ParquetSchema } from './schema.ts';
import { gidNumber } from '../rows/fields.ts';
import { INTEGER, STRING, type Tape } from '../rows/tape.ts';
import { isStringNode, latin1, parsedValue, plainGidDigits, stringValue } from '../rows/tape-values.ts';
import type { RowOut } from '../rows/types.ts';
import { compressBound, PageCompressor } from './zstd.ts';

/** A batch's pages of one table: every leaf's page back to back, in leaf order. */
export interface PageSet {
  /** Leaf i's page (header and compressed body) is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  /** Per leaf: its page's header plus its uncompressed body, and its number of values (levels). */
  uncompressed: Uint32Array;
  values: Uint32Array;
}

class Bytes {
  buf: Buffer;
  view: DataView;
  length = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }
}

const TWO_32 = 2 ** 32;

function badValue(leaf: Leaf, value: unknown): EtlError {
  return new EtlError(ErrorCodes.MALFORMED_JSONL, `${leaf.path.join('.')}: ${JSON.stringify(value)} does not fit the column's Parquet type (${leaf.type})`);
}

/** A little-endian INT64 from an integer Number (exact below 2^53). */
function putInt64(b: Bytes, n: number): void {
  b.reserve(8);
  b.view.setUint32(b.length, n >>> 0, true);
  b.view.setInt32(b.length + 4, Math.floor(n / TWO_32), true);
  b.length += 8;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function integerValue(leaf: Leaf, v: unknown, b: Bytes): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return putInt64(b, v);
  if (typeof v === 'string' && v.length <= 15 && /^-?\d+$/.test(v)) return putInt64(b, Number(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const big = BigInt(v);
    if (big < INT64_MIN || big > INT64_MAX) throw badValue(leaf, v);
    b.reserve(8);
    b.view.setBigInt64(b.length, big, true);
    b.length += 8;
    return;
  }
  throw badValue(leaf, v);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const SCALE = 10 ** DECIMAL_SCALE;

/** NUMERIC as DECIMAL(38, 9): its unscaled value, big-endian two's complement in 16 bytes. More than 9 decimals is refused, as BigQuery refuses it. */
function decimalValue(leaf: Leaf, v: unknown, b: Bytes): void {
  const m = typeof v === 'string' ? DECIMAL.exec(v) : null;
  if (!m || (m[3] !== undefined && m[3].length > DECIMAL_SCALE)) throw badValue(leaf, v);
  const whole = m[2]!;
  const frac = (m[3] ?? '').padEnd(DECIMAL_SCALE, '0');
  if (whole.length <= 6) {
    // Below 10^15 once scaled: exact as a Number.
    const n = Number(whole) * SCALE + Number(frac);
    return putDecimal(b, m[1] === '-' ? -n : n);
  }
  b.reserve(16);
  const at = b.length;
  b.length += 16;
  let big = BigInt(whole + frac);
  if (big >= 10n ** 38n) throw badValue(leaf, v);
  if (m[1] === '-') big = -big;
  b.view.setBigInt64(at, big >> 64n);
  b.view.setBigUint64(at + 8, BigInt.asUintN(64, big));
}

/** A DECIMAL(38, 9) from its unscaled value, an integer Number (exact below 2^53). */
function putDecimal(b: Bytes, n: number): void {
  b.reserve(16);
  const at = b.length;
  b.length += 16;
  const fill = n < 0 ? 0xffffffff : 0;
  b.view.setUint32(at, fill);
  b.view.setUint32(at + 4, fill);
  b.view.setInt32(at + 8, Math.floor(n / TWO_32));
  b.view.setUint32(at + 12, n >>> 0);
}

const DIGIT_0 = 0x30;

/** The value of the ASCII digits in buf[start, end), or -1 if one is not a digit (callers keep to 15 digits). */
function digits(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < DIGIT_0 || c > DIGIT_0 + 9) return -1;
    n = n * 10 + (c - DIGIT_0);
  }
  return n;
}

/**
 * Fast paths for the scalars a row's text holds as a string of ASCII: written straight from the bytes
 * in buf[start, end) (the string's content) when they have the common form, else false and the caller
 * takes the checked path through a JS string (encode.ts's value()).
 */
function integerBytes(b: Bytes, buf: Buffer, start: number, end: number): boolean {
  const neg = buf[start] === 0x2d;
  const from = neg ? start + 1 : start;
  if (end - from < 1 || end - from > 15) return false;
  const n = digits(buf, from, end);
  if (n < 0) return false;
  putInt64(b, neg ? -n : n);
  return true;
}

/** 10^0 … 10^9: a decimal's fraction scaled to 9 digits, a timestamp's to 6. */
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

function decimalBytes(b: Bytes, buf: Buffer, start: number, end: number): boolean {
  const neg = buf[start] === 0x2d;
  const from = neg ? start + 1 : start;
  let i = from;
  let whole = 0;
  for (; i < end; i++) {
    const d = buf[i]! - DIGIT_0;
    if (d >>> 0 > 9) break;
    whole = whole * 10 + d;
  }
  // At most 6 whole digits and 9 decimals: exact as a Number once scaled; at least one digit each side of a dot.
  if (i === from || i - from > 6) return false;
  let n = whole * SCALE;
  if (i < end) {
    if (buf[i] !== 0x2e) return false;
    const dot = i++;
    let frac = 0;
    for (; i < end; i++) {
      const d = buf[i]! - DIGIT_0;
      if (d >>> 0 > 9) return false;
      frac = frac * 10 + d;
    }
    const count = end - dot - 1;
    if (count < 1 || count > DECIMAL_SCALE) return false;
    n += frac * POW10[DECIMAL_SCALE - count]!;
  }
  putDecimal(b, neg ? -n : n);
  return true;
}

/** The two ASCII digits at buf[at], or -1. */
function twoDigits(buf: Buffer, at: number): number {
  const hi = buf[at]! - DIGIT_0;
  const lo = buf[at + 1]! - DIGIT_0;
  return hi >>> 0 > 9 || lo >>> 0 > 9 ? -1 : hi * 10 + lo;
}

/**
 * Days from 1970-01-01 to the first of a month, proleptic Gregorian, any year from 0 (Howard Hinnant's
 * days_from_civil, with the year starting in March so that a leap day ends it). Date.UTC would take a
 * year below 100 for 19xx; Date.parse reads the day of the month as days after its first, as this does.
 */
function daysToMonth(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

/** `YYYY-MM-DDTHH:MM:SS[.f…]Z`, the form Shopify and the row builders write, read as Date.parse reads it; any other (an offset) takes Date.parse. */
function timestampBytes(b: Bytes, buf: Buffer, start: number, end: number): boolean {
  if (end - start < 20 || buf[end - 1] !== 0x5a || buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d || buf[start + 10] !== 0x54 || buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a) return false;
  const century = twoDigits(buf, start);
  const yy = twoDigits(buf, start + 2);
  const month = twoDigits(buf, start + 5);
  const day = twoDigits(buf, start + 8);
  const hour = twoDigits(buf, start + 11);
  const minute = twoDigits(buf, start + 14);
  const second = twoDigits(buf, start + 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let micros = 0;
  const frac = start + 19;
  if (frac < end - 1) {
    // `.` and 1 to 9 digits; those past the sixth are dropped, as Date.parse drops those past the third.
    const count = end - 1 - (frac + 1);
    if (buf[frac] !== 0x2e || count < 1 || count > 9) return false;
    for (let i = frac + 1; i < end - 1; i++) {
      const d = buf[i]! - DIGIT_0;
      if (d >>> 0 > 9) return false;
      if (i < frac + 7) micros = micros * 10 + d;
    }
    if (count < 6) micros *= POW10[6 - count]!;
  }
  putMicros(b, (daysToMonth(century * 100 + yy, month) + day - 1) * 86_400 + hour * 3_600 + minute * 60 + second, micros);
  return true;
}

/** A TIMESTAMP's INT64 from whole seconds since the epoch and microseconds (0 to 999999) after them. */
function putMicros(b: Bytes, seconds: number, micros: number): void {
  const n = seconds * 1_000_000 + micros;
  // Past 2^53 (before 1685, after 2255) a Number is not exact.
  if (Number.isSafeInteger(n)) return putInt64(b, n);
  b.reserve(8);
  b.view.setBigInt64(b.length, BigInt(seconds) * 1_000_000n + BigInt(micros), true);
  b.length += 8;
}

const FRACTION = /\.(\d+)/;

/** TIMESTAMP as microseconds since the epoch, UTC; Date.parse keeps milliseconds, the next three digits are added. */
function timestampValue(leaf: Leaf, v: unknown, b: Bytes): void {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw badValue(leaf, v);
  const frac = FRACTION.exec(v as string)?.[1];
  const micros = frac !== undefined && frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  const seconds = Math.floor(ms / 1000);
  putMicros(b, seconds, (ms - seconds * 1000) * 1000 + micros);
}

function dateValue(leaf: Leaf, v: unknown, b: Bytes): void {
  const ms = typeof v === 'string' ? Date.parse(`${v}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms)) throw badValue(leaf, v);
  b.reserve(4);
  b.view.setInt32(b.length, ms / 86_400_000, true);
  b.length += 4;
}

/** Values up to this long are copied byte by byte: Buffer.copy's native call cost more than the loop for the short strings most columns hold (ids, names, codes). */
const SHORT_COPY = 64;

/** A BYTE_ARRAY value copied from bytes that are already its UTF-8 (a string without escapes, a JSON value's text). */
function rawValue(b: Bytes, src: Buffer, start: number, end: number): void {
  const n = end - start;
  b.reserve(4 + n);
  const at = b.length + 4;
  b.view.setUint32(b.length, n, true);
  if (n <= SHORT_COPY) {
    const buf = b.buf;
    for (let i = 0; i < n; i++) buf[at + i] = src[start + i]!;
  } else src.copy(b.buf, at, start, end);
  b.length = at + n;
}

// The escapes the tape accepts (tape.ts: no \\u), by the byte after the backslash: the byte it stands for.
const UNESCAPED = new Uint8Array(128);
for (const [escape, byte] of [['"', 0x22], ['\\', 0x5c], ['/', 0x2f], ['b', 0x08], ['f', 0x0c], ['n', 0x0a], ['r', 0x0d], ['t', 0x09]] as const) UNESCAPED[escape.charCodeAt(0)] = byte;

/** A BYTE_ARRAY value from a string's content with simple escapes in src[start, end): each escape written as the byte it stands for (Shopify escapes every `/` of a GID). */
function unescapedValue(b: Bytes, src: Buffer, start: number, end: number): void {
  b.reserve(4 + end - start);
  const lengthAt = b.length;
  const buf = b.buf;
  let at = lengthAt + 4;
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    buf[at++] = c === BACKSLASH ? UNESCAPED[src[++i]!]! : c;
  }
  b.view.setUint32(lengthAt, at - lengthAt - 4, true);
  b.length = at;
}

function textValue(b: Bytes, text: string): void {
  b.reserve(4 + text.length * 3);
  const n = b.buf.write(text, b.length + 4);
  b.view.setUint32(b.length, n, true);
  b.length += 4 + n;
}

/** A batch's pages of one table as they are made, one per thread: copied out once they are all made. */
const pagesOut = new Bytes(64 * 1024);

/** A page's uncompressed body and its zstd frame, one each per thread: a page is made and copied out before the next. */
const pageBody = new Bytes(64 * 1024);
const pageFrame = new Bytes(64 * 1024);
let zstd: PageCompressor | null = null;

/** One leaf's levels and values for the page being built. */
class LeafColumn {
  readonly leaf: Leaf;
  reps: Uint8Array;
  defs: Uint8Array;
  levels = 0;
  readonly values = new Bytes(4096);
  /** BOOLEAN values, one byte each until the page packs them into bits. */
  bools = 0;

  /** Where the row being written began in this column (save()), to go back to if the row is refused. */
  #savedLevels = 0;
  #savedValues = 0;
  #savedBools = 0;

  constructor(leaf: Leaf) {
    this.leaf = leaf;
    this.reps = new Uint8Array(1024);
    this.defs = new Uint8Array(1024);
  }

  save(): void {
    this.#savedLevels = this.levels;
    this.#savedValues = this.values.length;
    this.#savedBools = this.bools;
  }

  restore(): void {
    this.levels = this.#savedLevels;
    this.values.length = this.#savedValues;
    this.bools = this.#savedBools;
  }

  level(rep: number, def: number): void {
    if (this.levels === this.reps.length) {
      const reps = new Uint8Array(this.levels * 2);
      reps.set(this.reps);
      this.reps = reps;
      const defs = new Uint8Array(this.levels * 2);
      defs.set(this.defs);
      this.defs = defs;
    }
    this.reps[this.levels] = rep;
    this.defs[this.levels++] = def;
  }

  /** A scalar's value as a JS value, checked against the column's type (a JSON column's text is copied by the scanner instead). */
  value(v: unknown): void {
    const b = this.values;
    switch (this.leaf.type) {
      case 'STRING':
        if (typeof v !== 'string') throw badValue(this.leaf, v);
        return textValue(b, v);
      case 'JSON':
        throw new EtlError(ErrorCodes.INTERNAL, `${this.leaf.path.join('.')}: a JSON column is written from its text`);
      case 'INTEGER':
        return integerValue(this.leaf, v, b);
      case 'NUMERIC':
        return decimalValue(this.leaf, v, b);
      case 'TIMESTAMP':
        return timestampValue(this.leaf, v, b);
      case 'DATE':
        return dateValue(this.leaf, v, b);
      case 'FLOAT':
        if (typeof v !== 'number') throw badValue(this.leaf, v);
        b.reserve(8);
        b.view.setFloat64(b.length, v, true);
        b.length += 8;
        return;
      case 'BOOLEAN':
        if (typeof v !== 'boolean') throw badValue(this.leaf, v);
        b.reserve(1);
        b.buf[b.length++] = v ? 1 : 0;
        this.bools++;
        return;
    }
  }

  /** Appends the page to `out`: header and zstd body (levels, then values); the column is emptied for the next page. */
  page(out: Bytes): { uncompressed: number; values: number } {
    const body = pageBody;
    body.length = 0;
    if (this.leaf.maxRep > 0) levelsRle(body, this.reps, this.levels);
    if (this.leaf.maxDef > 0) levelsRle(body, this.defs, this.levels);
    if (this.leaf.type === 'BOOLEAN') {
      // PLAIN booleans: bit-packed, least significant bit first.
      const bytes = Math.ceil(this.bools / 8);
      body.reserve(bytes);
      body.buf.fill(0, body.length, body.length + bytes);
      for (let i = 0; i < this.bools; i++) if (this.values.buf[i]) body.buf[body.length + (i >> 3)]! |= 1 << (i & 7);
      body.length += bytes;
    } else {
      body.reserve(this.values.length);
      this.values.buf.copy(body.buf, body.length, 0, this.values.length);
      body.length += this.values.length;
    }
    const frame = pageFrame;
    frame.length = 0;
    frame.reserve(compressBound(body.length));
    const compressed = (zstd ??= new PageCompressor()).compress(body.buf, body.length, frame.buf, 0);
    out.reserve(PAGE_HEADER_MAX + compressed);
    const header = pageHeader(out, body.length, compressed, this.levels);
    frame.buf.copy(out.buf, out.length, 0, compressed);
    out.length += compressed;
    const values = this.levels;
    this.levels = 0;
    this.values.length = 0;
    this.bools = 0;
    return { uncompressed: header + body.length, values };
  }
}

/** The most bytes pageHeader() writes: three fields of up to 5 varint bytes, the rest fixed. */
const PAGE_HEADER_MAX = 32;

/**
 * A data page's PageHeader in Thrift's compact protocol, appended to `out` (room reserved); returns its
 * length. Written byte by byte rather than through ThriftWriter: a page per column per batch made its
 * closures and buffer a per-page cost. Each field is a byte of (id delta << 4 | type), i32s zigzag varints.
 */
function pageHeader(out: Bytes, uncompressed: number, compressed: number, values: number): number {
  const buf = out.buf;
  const start = out.length;
  let at = thriftI32(buf, start, 0); // 1: type, DATA_PAGE
  at = thriftI32(buf, at, uncompressed); // 2: uncompressed_page_size
  at = thriftI32(buf, at, compressed); // 3: compressed_page_size
  buf[at++] = 0x2c; // 5 (delta 2): data_page_header, a struct
  at = thriftI32(buf, at, values); // 1: num_values
  at = thriftI32(buf, at, 0); // 2: encoding, PLAIN
  at = thriftI32(buf, at, 3); // 3: definition_level_encoding, RLE
  at = thriftI32(buf, at, 3); // 4: repetition_level_encoding, RLE
  buf[at++] = 0; // end of DataPageHeader
  buf[at++] = 0; // end of PageHeader
  out.length = at;
  return at - start;
}

/** The next field (id delta 1) as a non-negative i32 at buf[at]: its header byte, then the zigzag varint; returns where it ends. */
function thriftI32(buf: Buffer, at: number, n: number): number {
  buf[at++] = 0x15;
  let v = n * 2;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

/** Levels as the RLE/bit-packed hybrid with a 4-byte length before it: RLE runs only (levels repeat; zstd takes the rest). */
function levelsRle(out: Bytes, levels: Uint8Array, count: number): void {
  out.reserve(4 + count * 6);
  const start = out.length;
  out.length += 4;
  for (let i = 0; i < count; ) {
    const v = levels[i]!;
    let j = i + 1;
    while (j < count && levels[j] === v) j++;
    let header = (j - i) * 2;
    while (header >= 0x80) {
      out.buf[out.length++] = (header & 0x7f) | 0x80;
      header >>>= 7;
    }
    out.buf[out.length++] = header;
    out.buf[out.length++] = v; // levels fit one byte: bit width ≤ 8
    i = j;
  }
  out.view.setUint32(start, out.length - start - 4, true);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const NULL_WORD = Buffer.from('null');
const TRUE_WORD = Buffer.from('true');
const FALSE_WORD = Buffer.from('false');

/** A record's fields as the scanner finds them: by `"name":` bytes in schema order first, else by name. */
interface Fields {
  readonly nodes: readonly Node[];
  readonly keys: readonly Buffer[];
  readonly byName: ReadonlyMap<string, number>;
}

function fieldsOf(nodes: readonly Node[]): Fields {
  return { nodes, keys: nodes.map((n) => Buffer.from(`${JSON.stringify(n.name)}:`)), byName: new Map(nodes.map((n, i) => [n.name, i])) };
}

const malformed = (message: string): EtlError => new EtlError(ErrorCodes.MALFORMED_JSONL, message);

/** Whether buf holds `key` at `at`: a loop, cheaper than Buffer.compare's native call for a key's few bytes. */
function startsWith(buf: Buffer, at: number, key: Buffer): boolean {
  if (at + key.length > buf.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

/** A record or list open in the row the byte path is writing: the next of its fields (or, for a list, its element) takes the next value. */
interface Open {
  fields: readonly Node[];
  /** The list, for an open list (its fields are none). */
  list: Node | null;
  next: number;
  /** The record's repetition level; its definition level (for a list: the list's, present). */
  rep: number;
  def: number;
  /** A list's elements so far. */
  count: number;
}

const NO_FIELDS: readonly Node[] = [];

/** Rows of one table → a PageSet, for one batch. */
export class TablePages implements RowOut {
  readonly #columns: LeafColumn[];
  readonly #root: Fields;
  readonly #fields = new Map<Node, Fields>();
  /** Per record being scanned (a stack: records nest), which of its fields were met. */
  #met: Uint8Array[] = [];
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  rows = 0;
  // The byte path's row: the records and lists open (a stack, its objects reused), and the slot the
  // last #take() found: its repetition level and its parent's definition level.
  readonly #open: Open[] = [];
  #depth = 0;
  #rep = 0;
  #def = 0;
  /** Leaves the current row wrote to, saved at their first write (LeafColumn.save), to roll the row back. */
  #row = 0;
  readonly #savedAt: Int32Array;
  readonly #touched: Int32Array;
  #touchedCount = 0;
  /** The batch's stamp: the shop's currency columns and their value, `_extracted_at` in microseconds. */
  #currencyColumns: ReadonlySet<string> = new Set();
  #currency = Buffer.alloc(0);
  #extractedAt = 0;
  #stampKey = '';
  /** The `id` leaf (a table whose ids go back with its segments), or -1. */
  readonly #idLeaf: number;

  constructor(schema: ParquetSchema) {
    this.#columns = schema.leaves.map((l) => new LeafColumn(l));
    this.#savedAt = new Int32Array(this.#columns.length).fill(-1);
    this.#touched = new Int32Array(this.#columns.length);
    this.#idLeaf = schema.leaves.findIndex((l) => l.path.length === 1 && l.path[0] === 'id' && l.type === 'INTEGER');
    this.#root = fieldsOf(schema.root);
    const visit = (n: Node): void => {
      if (n.fields) {
        this.#fields.set(n, fieldsOf(n.fields));
        n.fields.forEach(visit);
      } else if (n.element) visit(n.element);
    };
    schema.root.forEach(visit);
  }

  /** Adds one row: its JSON object text in buf[start, end), columns by name; the hive columns, if present, are skipped. */
  add(buf: Buffer, start: number, end: number): void {
    this.#buf = buf;
    this.#pos = start;
    this.#record(this.#root, 0, 0, 0);
    if (this.#pos !== end) throw malformed(`a row has text after its end: ${buf.toString('utf8', this.#pos, end).slice(0, 80)}`);
    this.rows++;
  }

  /** The batch's values for the columns the byte path does not write: the shop's currency columns and `_extracted_at`. */
  stamp(currencyColumns: readonly string[], currency: string, extractedAt: string): void {
    // Every batch of a run stamps the same: the builder is kept from batch to batch, and so is its stamp.
    const key = `${currencyColumns.join(',')}\n${currency}\n${extractedAt}`;
    if (key === this.#stampKey) return;
    this.#stampKey = key;
    this.#currencyColumns = new Set(currencyColumns);
    this.#currency = Buffer.from(currency);
    const at = new Bytes(8);
    const leaf = this.#columns.find((c) => c.leaf.path[0] === '_extracted_at')!.leaf;
    timestampValue(leaf, extractedAt, at);
    this.#extractedAt = Number(at.view.getBigInt64(0, true));
  }

  /**
   * A top-level column's values for the rows so far, to read back (src/pipeline/sums.ts): its type,
   * per row its definition level (a value when it equals maxDef), and the values as PLAIN encodes them.
   */
  column(name: string): { type: LeafType; maxDef: number; defs: Uint8Array; values: Buffer } | undefined {
    const c = this.#columns.find((l) => l.leaf.path.length === 1 && l.leaf.path[0] === name);
    return c && { type: c.leaf.type, maxDef: c.leaf.maxDef, defs: c.defs, values: c.values.buf.subarray(0, c.values.length) };
  }

  /** The ids of the rows so far, in order, from the `id` column (Shopify's ids are below 2^53). */
  ids(): Float64Array {
    if (this.#idLeaf === -1) return new Float64Array(0);
    const values = this.#columns[this.#idLeaf]!.values;
    const ids = new Float64Array(values.length / 8);
    for (let i = 0; i < ids.length; i++) ids[i] = values.view.getUint32(i * 8, true) + values.view.getInt32(i * 8 + 4, true) * TWO_32;
    return ids;
  }

  // -- RowOut: the byte path's rows -----------------------------------------------------------------

  begin(): void {
    this.#row++;
    this.#touchedCount = 0;
    this.#depth = 0;
  }

  rollback(): void {
    for (let k = 0; k < this.#touchedCount; k++) this.#columns[this.#touched[k]!]!.restore();
    this.#touchedCount = 0;
    this.#depth = 0;
  }

  endRow(): void {
    // The columns the writer appends: _extra (null: the byte path takes no line with extra keys), the shop's currency, _extracted_at.
    const row = this.#open[0]!;
    for (let i = row.next; i < row.fields.length; i++) {
      const node = row.fields[i]!;
      if (node.name === '_extracted_at') {
        const c = this.#column(node.leaf!.index);
        c.level(0, node.repetition === Repetition.REQUIRED ? 0 : 1);
        putInt64(c.values, this.#extractedAt);
      } else if (this.#currencyColumns.has(node.name)) {
        const c = this.#column(node.leaf!.index);
        c.level(0, 1);
        rawValue(c.values, this.#currency, 0, this.#currency.length);
      } else {
        this.#null(node, 0, 0);
      }
    }
    this.#depth = 0;
    this.rows++;
  }

  /** Parquet's columns are found by name (pageSums): no place to note. */
  beginColumn(): void {}

  open(): void {
    if (this.#depth === 0) {
      this.#push(this.#root.nodes, null, 0, 0);
      return;
    }
    const element = this.#take();
    this.#push(element.fields!, null, this.#rep, this.#present(element));
  }

  close(): void {
    const record = this.#open[--this.#depth]!;
    for (let i = record.next; i < record.fields.length; i++) this.#null(record.fields[i]!, record.rep, record.def);
  }

  null(_key: unknown): void {
    const node = this.#take();
    this.#null(node, this.#rep, this.#def);
  }

  raw(_key: unknown, tape: Tape, n: number): void {
    const c = this.#leaf();
    const b = tape.bytes;
    const start = tape.start(n);
    const end = tape.end(n);
    const quoted = b[start] === QUOTE;
    switch (c.leaf.type) {
      case 'INTEGER':
        if (tape.type(n) === INTEGER ? integerBytes(c.values, b, start, end) : quoted && integerBytes(c.values, b, start + 1, end - 1)) return;
        break;
      case 'NUMERIC':
        if (quoted && decimalBytes(c.values, b, start + 1, end - 1)) return;
        break;
      case 'TIMESTAMP':
        if (quoted && timestampBytes(c.values, b, start + 1, end - 1)) return;
        break;
      default:
        break;
    }
    // Any other form, checked against the column's type on the way.
    c.value(tape.type(n) === STRING ? latin1(tape, start + 1, end - 1) : parsedValue(tape, n));
  }

  string(_key: unknown, tape: Tape, n: number): void {
    const c = this.#leaf();
    if (c.leaf.type !== 'STRING') c.value(stringValue(tape, n));
    else if (tape.type(n) === STRING) rawValue(c.values, tape.bytes, tape.start(n) + 1, tape.end(n) - 1);
    else unescapedValue(c.values, tape.bytes, tape.start(n) + 1, tape.end(n) - 1);
  }

  gidNumber(_key: unknown, tape: Tape, n: number): boolean {
    if (!isStringNode(tape.type(n))) return false;
    const digits = plainGidDigits(tape, n);
    if (digits !== -1) {
      const c = this.#leaf();
      if (c.leaf.type !== 'INTEGER' || !integerBytes(c.values, tape.bytes, digits, tape.end(n) - 1)) c.value(latin1(tape, digits, tape.end(n) - 1));
      return true;
    }
    // Anything else (a query string after the number, other escapes): as the general path reads it.
    const number = gidNumber(stringValue(tape, n));
    if (number === undefined) return false;
    this.#leaf().value(number);
    return true;
  }

  number(_key: unknown, value: number): void {
    this.#leaf().value(value);
  }

  boolean(_key: unknown, value: boolean): void {
    this.#leaf().value(value);
  }

  listStart(_key: unknown): void {
    const list = this.#take();
    this.#push(NO_FIELDS, list, this.#rep, this.#present(list));
  }

  listNext(): void {}

  listEnd(): void {
    const list = this.#open[--this.#depth]!;
    if (list.count === 0) this.#nulls(list.list!.element!, list.rep, list.def);
  }

  #push(fields: readonly Node[], list: Node | null, rep: number, def: number): void {
    const open = (this.#open[this.#depth++] ??= { fields, list, next: 0, rep, def, count: 0 });
    open.fields = fields;
    open.list = list;
    open.next = 0;
    open.rep = rep;
    open.def = def;
    open.count = 0;
  }

  /** The slot the next value goes to: the open record's next field, or the open list's next element; sets #rep and #def (its parent's). */
  #take(): Node {
    const open = this.#open[this.#depth - 1]!;
    if (open.list !== null) {
      this.#rep = open.count++ === 0 ? open.rep : open.list.repLevel;
      // The list's repeated group holds the element: one level more.
      this.#def = open.def + 1;
      return open.list.element!;
    }
    const node = open.fields[open.next++];
    if (node === undefined) throw new EtlError(ErrorCodes.INTERNAL, 'the byte path wrote more columns than the table has');
    this.#rep = open.rep;
    this.#def = open.def;
    return node;
  }

  /** A value's definition level at `node` (present). */
  #present(node: Node): number {
    return node.repetition === Repetition.REQUIRED ? this.#def : this.#def + 1;
  }

  /** The next slot's column, with the levels of a present value written. */
  #leaf(): LeafColumn {
    const node = this.#take();
    if (node.leaf === null) throw new EtlError(ErrorCodes.INTERNAL, `${node.name}: a value for a column that holds a record or list`);
    const c = this.#column(node.leaf.index);
    c.level(this.#rep, this.#present(node));
    return c;
  }

  /** Leaf i's column, saved at the row's first write to it. */
  #column(i: number): LeafColumn {
    const c = this.#columns[i]!;
    if (this.#savedAt[i] !== this.#row) {
      this.#savedAt[i] = this.#row;
      c.save();
      this.#touched[this.#touchedCount++] = i;
    }
    return c;
  }

  #record(fields: Fields, depth: number, rep: number, def: number): void {
    const buf = this.#buf;
    if (buf[this.#pos] !== LBRACE) throw malformed(`expected a record at ${this.#where()}`);
    this.#pos++;
    let met = this.#met[depth];
    if (!met || met.length < fields.nodes.length) met = this.#met[depth] = new Uint8Array(Math.max(fields.nodes.length, 16));
    met.fill(0, 0, fields.nodes.length);
    let next = 0;
    if (buf[this.#pos] === RBRACE) this.#pos++;
    else {
      for (;;) {
        let i = -1;
        const key = fields.keys[next];
        // Rows are written in schema order: the next field's key is nearly always the one expected.
        if (key !== undefined && startsWith(buf, this.#pos, key)) {
          i = next;
          this.#pos += key.length;
        } else {
          const name = this.#string();
          if (buf[this.#pos++] !== COLON) throw malformed(`expected ':' at ${this.#where()}`);
          i = fields.byName.get(name) ?? -1;
          if (i === -1) {
            if (depth > 0 || !HIVE_COLUMNS.has(name)) throw malformed(`${name} is not a column`);
            this.#skip();
          }
        }
        if (i >= 0) {
          met[i] = 1;
          next = i + 1;
          this.#value(fields.nodes[i]!, depth, rep, def);
        }
        const c = buf[this.#pos++];
        if (c === RBRACE) break;
        if (c !== COMMA) throw malformed(`expected ',' or '}' at ${this.#where()}`);
      }
    }
    for (let i = 0; i < fields.nodes.length; i++) if (met[i] === 0) this.#null(fields.nodes[i]!, rep, def);
  }

  /** The value of `node` at the scan position; `def` is its parent's definition level. */
  #value(node: Node, depth: number, rep: number, def: number): void {
    const buf = this.#buf;
    if (buf[this.#pos] === 0x6e) {
      this.#literal(NULL_WORD);
      this.#null(node, rep, def);
      return;
    }
    const d = node.repetition === Repetition.REQUIRED ? def : def + 1;
    if (node.leaf) this.#scalar(this.#columns[node.leaf.index]!, rep, d);
    else if (node.fields) this.#record(this.#fields.get(node)!, depth + 1, rep, d);
    else {
      if (buf[this.#pos] !== LBRACKET) throw malformed(`${node.name} is not a list`);
      this.#pos++;
      if (buf[this.#pos] === RBRACKET) {
        this.#pos++;
        this.#nulls(node.element!, rep, d);
        return;
      }
      for (let first = true; ; first = false) {
        this.#value(node.element!, depth, first ? rep : node.repLevel, d + 1);
        const c = buf[this.#pos++];
        if (c === RBRACKET) break;
        if (c !== COMMA) throw malformed(`expected ',' or ']' at ${this.#where()}`);
      }
    }
  }

  #null(node: Node, rep: number, def: number): void {
    if (node.repetition === Repetition.REQUIRED) throw malformed(`${node.name} is required but null`);
    this.#nulls(node, rep, def);
  }

  #scalar(c: LeafColumn, rep: number, def: number): void {
    const buf = this.#buf;
    c.level(rep, def);
    const first = buf[this.#pos];
    switch (c.leaf.type) {
      case 'STRING':
        if (first !== QUOTE) throw badValue(c.leaf, this.#skipText());
        if (!this.#stringEnd()) {
          rawValue(c.values, buf, this.#pos + 1, this.#end - 1);
          this.#pos = this.#end;
        } else c.value(JSON.parse(this.#skipText()));
        return;
      case 'JSON': {
        const start = this.#pos;
        this.#skip();
        rawValue(c.values, buf, start, this.#pos);
        return;
      }
      case 'BOOLEAN':
        if (first === 0x74) this.#literal(TRUE_WORD);
        else if (first === 0x66) this.#literal(FALSE_WORD);
        c.value(first === 0x74 ? true : first === 0x66 ? false : this.#skipText());
        return;
      case 'INTEGER':
      case 'NUMERIC':
      case 'TIMESTAMP':
        if (first === QUOTE && !this.#stringEnd()) {
          const write = c.leaf.type === 'INTEGER' ? integerBytes : c.leaf.type === 'NUMERIC' ? decimalBytes : timestampBytes;
          if (write(c.values, buf, this.#pos + 1, this.#end - 1)) {
            this.#pos = this.#end;
            return;
          }
        }
        if (first === QUOTE) return c.value(this.#ascii());
        if (c.leaf.type !== 'INTEGER') return c.value(this.#skipText());
        return this.#number(c);
      case 'FLOAT':
        if (first === QUOTE) return c.value(this.#ascii());
        return this.#number(c);
      default:
        c.value(first === QUOTE ? this.#ascii() : this.#skipText());
    }
  }

  /** A JSON number (an Int, a Float); one beyond 2^53 goes to an INTEGER column as its digits, refused there rather than rounded. */
  #number(c: LeafColumn): void {
    const start = this.#pos;
    this.#skip();
    // An Int of up to 15 digits, the common case, from its bytes.
    if (c.leaf.type === 'INTEGER' && integerBytes(c.values, this.#buf, start, this.#pos)) return;
    const text = this.#buf.toString('utf8', start, this.#pos);
    const n = Number(text);
    c.value(c.leaf.type === 'INTEGER' && !Number.isSafeInteger(n) ? text : n);
  }

  /** Where the closing quote of the string at the scan position ends; true when the string has escapes. */
  #end = 0;
  #stringEnd(): boolean {
    const buf = this.#buf;
    let escaped = false;
    let i = this.#pos + 1;
    for (;;) {
      const b = buf[i];
      if (b === QUOTE) break;
      if (b === undefined) throw malformed(`unterminated string at ${this.#where()}`);
      if (b === BACKSLASH) {
        escaped = true;
        i++;
      }
      i++;
    }
    this.#end = i + 1;
    return escaped;
  }

  /** The string at the scan position, decoded. */
  #string(): string {
    const escaped = this.#stringEnd();
    const text = escaped ? (JSON.parse(this.#buf.toString('utf8', this.#pos, this.#end)) as string) : this.#buf.toString('utf8', this.#pos + 1, this.#end - 1);
    this.#pos = this.#end;
    return text;
  }

  /** A string that is a number, decimal or time: read as Latin-1 (cheaper than UTF-8); any other byte, or an escape, fails its column's check. */
  #ascii(): string {
    const escaped = this.#stringEnd();
    const text = this.#buf.toString('latin1', escaped ? this.#pos : this.#pos + 1, escaped ? this.#end : this.#end - 1);
    this.#pos = this.#end;
    return text;
  }

  /** Skips the value at the scan position and returns its text (for a message, or a number to read). */
  #skipText(): string {
    const start = this.#pos;
    this.#skip();
    return this.#buf.toString('utf8', start, this.#pos);
  }

  /** Skips one JSON value: a string, a record or list (strings inside them too), a number or literal. */
  #skip(): void {
    const buf = this.#buf;
    const first = buf[this.#pos];
    if (first === QUOTE) {
      this.#stringEnd();
      this.#pos = this.#end;
      return;
    }
    if (first === LBRACE || first === LBRACKET) {
      let depth = 0;
      for (;;) {
        const b = buf[this.#pos];
        if (b === undefined) throw malformed(`unterminated value at ${this.#where()}`);
        if (b === QUOTE) {
          this.#stringEnd();
          this.#pos = this.#end;
          continue;
        }
        this.#pos++;
        if (b === LBRACE || b === LBRACKET) depth++;
        else if ((b === RBRACE || b === RBRACKET) && --depth === 0) return;
      }
    }
    while (this.#pos < buf.length) {
      const b = buf[this.#pos]!;
      if (b === COMMA || b === RBRACE || b === RBRACKET) break;
      this.#pos++;
    }
  }

  /** Steps over `null`, `true` or `false` (its bytes in `word`), compared byte by byte: a string per null cost more than the rest of its column. */
  #literal(word: Uint8Array): void {
    const buf = this.#buf;
    const at = this.#pos;
    for (let i = 0; i < word.length; i++) if (buf[at + i] !== word[i]) throw malformed(`expected ${Buffer.from(word).toString('latin1')} at ${this.#where()}`);
    this.#pos += word.length;
  }

  #where(): string {
    return JSON.stringify(this.#buf.toString('utf8', this.#pos, this.#pos + 40));
  }

  /** Every leaf under `node` gets the levels of a value that stops at definition level `def`. */
  #nulls(node: Node, rep: number, def: number): void {
    if (node.leaf) this.#column(node.leaf.index).level(rep, def);
    else if (node.fields) for (const f of node.fields) this.#nulls(f, rep, def);
    else this.#nulls(node.element!, rep, def);
  }

  /** The pages of the rows added so far, one per leaf, in one buffer; the columns are emptied. */
  pages(): { bytes: Buffer; index: PageSet } {
    const n = this.#columns.length;
    const index: PageSet = { offsets: new Uint32Array(n + 1), uncompressed: new Uint32Array(n), values: new Uint32Array(n) };
    const out = pagesOut;
    out.length = 0;
    for (let i = 0; i < n; i++) {
      const p = this.#columns[i]!.page(out);
      index.uncompressed[i] = p.uncompressed;
      index.values[i] = p.values;
      index.offsets[i + 1] = out.length;
    }
    this.rows = 0;
    // Alone on its memory, so posting it to the main thread moves it.
    const bytes = Buffer.allocUnsafeSlow(out.length);
    out.buf.copy(bytes, 0, 0, out.length);
    return { bytes, index };
  }
}
