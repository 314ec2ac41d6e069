// The row machinery's types: BigQuery columns and tables, JSON values, and the sinks rows are written to.
import type { Tape } from './tape.ts';
import type { Constant } from './tape-values.ts';

/** BigQuery column types as written to <dest>/_schemas/<table>.json (legacy SQL names, as `bq` uses). */
export type ColumnType = 'STRING' | 'INTEGER' | 'NUMERIC' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP' | 'DATE' | 'JSON' | 'RECORD';
export type ColumnMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

/** A BigQuery column, as a table declares it (column kinds make them, kinds/). */
export interface BigQueryColumn {
  name: string;
  type: ColumnType;
  mode?: ColumnMode; // NULLABLE when absent
  description?: string;
  fields?: BigQueryColumn[]; // for RECORD
}

/**
 * A column holding the id of another entity's root record, not a parent line: Shopify deletes this
 * record with that one ('cascade': a fulfillment order, whose order is required) or keeps it and
 * answers the reference as null ('null': a tender transaction outlives its order). The current-state
 * views (src/views/) follow it when the referenced id is deleted.
 */
export interface Reference {
  column: string;
  table: string;
  onDelete: 'cascade' | 'null';
}

/**
 * A table this one replaced, kept for one release as a current-state view of this one's (src/views/):
 * its rows are those whose `where` columns hold the given values, less those columns, with `renamed`
 * columns under their old names (product_metafields: metafields of owner_type PRODUCT, owner_id as product_id).
 */
export interface FormerTable {
  table: string;
  where: Readonly<Record<string, string>>;
  renamed: Readonly<Record<string, string>>;
}

export interface TableDef {
  name: string;
  description: string;
  /** Entity-specific columns; the writer appends _extra, _shop, _run_id and _extracted_at to every table. */
  columns: BigQueryColumn[];
  /** For child tables: the column holding the parent's numeric id and the table it points into. */
  parent?: { column: string; table: string };
  /** A record of another entity this one belongs to, and what Shopify does to this one when that one is deleted (Reference). */
  references?: Reference;
  /**
   * The columns that tell one of the table's records from another within a shop (`_shop`): `id` where
   * the record has a required one, else what the entity declares (spec.ts, TableSpec.key). The
   * current-state views (src/views/) keep one row per key; a test fails for a table without one.
   */
  key?: readonly string[];
  /**
   * Columns (also in `columns`) the writer fills with the shop's currency code, like the run columns:
   * the `<amount>_currency` of amounts Shopify gives in the shop's currency without naming it
   * (variant prices). Every other money value carries its own currency in the record.
   */
  shopCurrencyColumns?: readonly string[];
  /** A table it replaced, still offered as a view of its current state (FormerTable). */
  formerly?: FormerTable;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type Row = Record<string, unknown>;

/** Receives the rows a processor makes; rows are written as they come (never buffered per parent). */
export interface RowSink {
  /** A row as an object: the sink stamps the run columns on it and serialises it. */
  row(table: string, row: Row): void;
  /** A parent line's count of its children (QueryPart.countedChildren), by the parent's id. */
  childrenCounted?(parent: string, count: number): void;
  /** One child line of a counted parent, by the parent's id. */
  childRead?(parent: string): void;
}

/** NDJSON bytes being written (batch.ts's table output): what tape-values.ts's put…() functions append to. */
export interface ByteRows {
  /** The table's bytes so far are buf[0, length); reserve() may replace buf, and view with it. */
  buf: Buffer;
  /** buf as a DataView: values and constants are copied four bytes at a time (tape-values.ts). */
  view: DataView;
  length: number;
  /** Makes room for `bytes` more bytes after `length`. */
  reserve(bytes: number): void;
}

/**
 * Where the byte path (bytes.ts) writes one table's rows: a column kind says what each of its columns
 * holds, in schema order, and the table's output makes NDJSON text of it (batch.ts) or Parquet column
 * values (src/parquet/encode.ts), each straight from the line's bytes. `key` is the column's `"name":`
 * (the text the NDJSON writes; the Parquet columns follow the schema's order instead), null for a list's
 * element.
 */
export interface RowOut {
  /** A row begins; rollback() drops what was written of it since (the byte path refused the line). */
  begin(): void;
  rollback(): void;
  /** Ends the row: `_extra` (null), the shop's currency columns and the run columns, and counts it. */
  endRow(): void;
  /** A row's or a records list element's columns begin, and (close) a records element's end. */
  open(): void;
  /** The row's column `index` (its place in TableDef.columns) is written next: where the quality checks read it from (src/pipeline/sums.ts). */
  beginColumn(index: number): void;
  close(): void;
  null(key: Constant): void;
  /** A node's JSON text as it is: a number, or a string its kind checked (an integer's digits, a decimal, a timestamp). */
  raw(key: Constant, tape: Tape, node: number): void;
  /** A string node's value. */
  string(key: Constant | null, tape: Tape, node: number): void;
  /** The number of the Shopify GID at a string node, as an integer column; false (nothing written) when it is not one. */
  gidNumber(key: Constant, tape: Tape, node: number): boolean;
  number(key: Constant, value: number): void;
  boolean(key: Constant, value: boolean): void;
  /** A list column: listStart, its elements (listNext() before each but the first), listEnd. */
  listStart(key: Constant): void;
  listNext(): void;
  listEnd(): void;
}

/** A RowSink that also takes rows from the byte path. */
export interface ByteSink extends RowSink {
  bytes(table: string): RowOut;
}

/** What the byte path tells about a line it wrote: whether it is a root record (no __parentId), and its cursor field's value if a string. */
export interface LineInfo {
  root: boolean;
  /** A root line's cursor field as a string; null when it has none, or when the byte path gives `cursorAt` instead. */
  cursor: string | null;
  /** Where the cursor's JSON string (without escapes) begins in the batch's bytes, its opening quote; -1 when `cursor` holds it. The batch makes a string of it only for its latest cursor so far. */
  cursorAt: number;
}
