// One table's rows of one batch → one Parquet data page per leaf column, zstd-compressed, in a
// worker. Rows are shredded (Dremel's repetition and definition levels) into per-column builders as
// they are added, so no batch of row objects is kept; the main thread (file.ts) only appends pages
// into row groups and writes the footer. Encodings: PLAIN values, RLE levels (a page compresses
// with zstd, which takes the repetition PLAIN leaves); see the README for why no dictionary.
import { constants, zstdCompressSync } from 'node:zlib';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { DECIMAL_SCALE, Repetition, type Leaf, type Node, type ParquetSchema } from './schema.ts';
import { ThriftWriter } from './thrift.ts';

/** A batch's pages of one table: every leaf's page back to back, in leaf order. */
export interface PageSet {
  /** Leaf i's page (header and compressed body) is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  /** Per leaf: its page's header plus its uncompressed body, and its number of values (levels). */
  uncompressed: Uint32Array;
  values: Uint32Array;
}

export const ZSTD_LEVEL = 3;

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
  b.reserve(16);
  const at = b.length;
  b.length += 16;
  if (whole.length <= 6) {
    // Below 10^15 once scaled: exact as a Number.
    let n = Number(whole) * SCALE + Number(frac);
    if (m[1] === '-') n = -n;
    const fill = n < 0 ? 0xffffffff : 0;
    b.view.setUint32(at, fill);
    b.view.setUint32(at + 4, fill);
    b.view.setInt32(at + 8, Math.floor(n / TWO_32));
    b.view.setUint32(at + 12, n >>> 0);
    return;
  }
  let big = BigInt(whole + frac);
  if (big >= 10n ** 38n) throw badValue(leaf, v);
  if (m[1] === '-') big = -big;
  b.view.setBigInt64(at, big >> 64n);
  b.view.setBigUint64(at + 8, BigInt.asUintN(64, big));
}

const FRACTION = /\.(\d+)/;

/** TIMESTAMP as microseconds since the epoch, UTC; Date.parse keeps milliseconds, the next three digits are added. */
function timestampValue(leaf: Leaf, v: unknown, b: Bytes): void {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw badValue(leaf, v);
  const frac = FRACTION.exec(v as string)?.[1];
  const micros = frac !== undefined && frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  putInt64(b, ms * 1000 + micros);
}

function dateValue(leaf: Leaf, v: unknown, b: Bytes): void {
  const ms = typeof v === 'string' ? Date.parse(`${v}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms)) throw badValue(leaf, v);
  b.reserve(4);
  b.view.setInt32(b.length, ms / 86_400_000, true);
  b.length += 4;
}

function textValue(b: Bytes, text: string): void {
  b.reserve(4 + text.length * 3);
  const n = b.buf.write(text, b.length + 4);
  b.view.setUint32(b.length, n, true);
  b.length += 4 + n;
}

/** A page's uncompressed body, one per thread: it is compressed before the next page is built. */
const pageBody = new Bytes(64 * 1024);

/** One leaf's levels and values for the page being built. */
class LeafColumn {
  readonly leaf: Leaf;
  reps: Uint8Array;
  defs: Uint8Array;
  levels = 0;
  readonly values = new Bytes(4096);
  /** BOOLEAN values, one byte each until the page packs them into bits. */
  bools = 0;

  constructor(leaf: Leaf) {
    this.leaf = leaf;
    this.reps = new Uint8Array(1024);
    this.defs = new Uint8Array(1024);
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

  value(v: unknown): void {
    const b = this.values;
    switch (this.leaf.type) {
      case 'STRING':
        if (typeof v !== 'string') throw badValue(this.leaf, v);
        return textValue(b, v);
      case 'JSON':
        return textValue(b, JSON.stringify(v));
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

  /** The page: header and zstd body (levels, then values); the column is emptied for the next page. */
  page(): { bytes: Buffer; uncompressed: number; values: number } {
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
    // The size pledged lets zstd size its window and tables to the page (a batch's page is small): a
    // context sized for an unknown length costs more to set up than most pages take to compress.
    const compressed = zstdCompressSync(body.buf.subarray(0, body.length), { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL }, pledgedSrcSize: body.length });
    // PageHeader: DATA_PAGE, sizes, DataPageHeader { num_values, PLAIN, RLE, RLE }.
    const header = ThriftWriter.struct((w) =>
      w.i32(1, 0).i32(2, body.length).i32(3, compressed.length).struct(5, (d) => d.i32(1, this.levels).i32(2, 0).i32(3, 3).i32(4, 3)),
    );
    const values = this.levels;
    this.levels = 0;
    this.values.length = 0;
    this.bools = 0;
    return { bytes: Buffer.concat([header, compressed]), uncompressed: header.length + body.length, values };
  }
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

/** Rows of one table → a PageSet, for one batch. */
export class TablePages {
  readonly #schema: ParquetSchema;
  readonly #columns: LeafColumn[];
  rows = 0;

  constructor(schema: ParquetSchema) {
    this.#schema = schema;
    this.#columns = schema.leaves.map((l) => new LeafColumn(l));
  }

  /** Adds one row (its columns by name; the hive columns, if present, are not read). */
  add(row: Record<string, unknown>): void {
    for (const node of this.#schema.root) this.#visit(node, row[node.name], 0, 0);
    this.rows++;
  }

  #visit(node: Node, value: unknown, rep: number, def: number): void {
    if (value === null || value === undefined) {
      if (node.repetition === Repetition.REQUIRED) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${node.name} is required but null`);
      this.#nulls(node, rep, def);
      return;
    }
    const d = node.repetition === Repetition.REQUIRED ? def : def + 1;
    if (node.leaf) {
      const c = this.#columns[node.leaf.index]!;
      c.level(rep, d);
      c.value(value);
    } else if (node.fields) {
      if (typeof value !== 'object' || Array.isArray(value)) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${node.name} is not a record`);
      for (const f of node.fields) this.#visit(f, (value as Record<string, unknown>)[f.name], rep, d);
    } else {
      if (!Array.isArray(value)) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${node.name} is not a list`);
      if (value.length === 0) this.#nulls(node.element!, rep, d);
      for (let i = 0; i < value.length; i++) this.#visit(node.element!, value[i], i === 0 ? rep : node.repLevel, d + 1);
    }
  }

  /** Every leaf under `node` gets the levels of a value that stops at definition level `def`. */
  #nulls(node: Node, rep: number, def: number): void {
    if (node.leaf) this.#columns[node.leaf.index]!.level(rep, def);
    else if (node.fields) for (const f of node.fields) this.#nulls(f, rep, def);
    else this.#nulls(node.element!, rep, def);
  }

  /** The pages of the rows added so far, one per leaf, in one buffer; the columns are emptied. */
  pages(): { bytes: Buffer; index: PageSet } {
    const n = this.#columns.length;
    const index: PageSet = { offsets: new Uint32Array(n + 1), uncompressed: new Uint32Array(n), values: new Uint32Array(n) };
    const pages = this.#columns.map((c, i) => {
      const p = c.page();
      index.uncompressed[i] = p.uncompressed;
      index.values[i] = p.values;
      index.offsets[i + 1] = index.offsets[i]! + p.bytes.length;
      return p.bytes;
    });
    this.rows = 0;
    const bytes = Buffer.allocUnsafeSlow(index.offsets[n]!);
    for (let i = 0; i < n; i++) bytes.set(pages[i]!, index.offsets[i]!);
    return { bytes, index };
  }
}
