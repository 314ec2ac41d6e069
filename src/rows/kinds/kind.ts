// What a column kind is: the BigQuery columns it makes, how the general path reads it (read.ts) and how
// the byte path writes it (bytes.ts); and the few helpers the kinds' byte writers share. The kinds are
// listed in index.ts.
import type { Fields } from '../fields.ts';
import { NULL, type Tape } from '../tape.ts';
import type { Constant } from '../tape-values.ts';
import type { BigQueryColumn, JsonObject, JsonValue, Row, RowOut } from '../types.ts';

/** A column as the general path runs it: the names of its BigQuery columns, in order. */
export interface ReadColumn<O> {
  readonly names: readonly string[];
  readonly options: O;
  /** For a kind with sub-columns (records): one element's row. */
  readonly element: ((src: Fields) => Row) | null;
}

/** A column as the byte path runs it: `"name":` for each of its BigQuery columns, in order. */
export interface WriteColumn<O> {
  readonly keys: readonly Constant[];
  readonly options: O;
  /** For a kind with sub-columns (records): opens one element and writes its columns (the caller closes it); false to refuse. */
  readonly element: ((tape: Tape, node: number, out: RowOut) => boolean) | null;
}

export interface Kind<O> {
  /** The BigQuery columns of a column called `name`; `fields` are its sub-columns' (records). */
  columns(name: string, options: O, fields: readonly BigQueryColumn[]): BigQueryColumn[];
  /** General path: sets the row's columns from the value at `key` of `src`. */
  read(src: Fields, key: string, c: ReadColumn<O>, row: Row): void;
  /**
   * Byte path: writes each of its columns' values from tape node `n` into `out` (negative: the key is absent
   * or an object on the way is null or absent), or returns false and the line takes the general path.
   * `owner` is the node of the owning record's id for an inline list element, else -1; `position`
   * the element's place in its list (from 0), else -1.
   */
  write(c: WriteColumn<O>, tape: Tape, n: number, out: RowOut, owner: number, position: number): boolean;
  /**
   * A value of the shape Shopify sends that write() takes, for lines made up to warm the byte path up
   * (src/pipeline/warm-up.ts); undefined for a column that reads no member (a position). `element`
   * makes one element of a records column.
   */
  sample(options: O, element: (() => JsonObject) | null): JsonValue | undefined;
}

/** Types a kind's entry by its options. */
export const kind = <O>(k: Kind<O>): Kind<O> => k;

/** Whether node `n` makes a null column: the key is absent, an object on the way is null or absent, or the value is null. */
export const missing = (tape: Tape, n: number): boolean => n < 0 || tape.type(n) === NULL;

/** Null for each of a column's BigQuery columns. */
export function putNulls(c: WriteColumn<unknown>, out: RowOut): void {
  for (const k of c.keys) out.null(k);
}
