// The general path: a parsed record read through a Fields reader, each column by its kind's read()
// (kinds/); whatever no column took ends up in the row's `_extra`. It takes any shape, so it is what
// a line the byte path refuses (bytes.ts) goes through, after JSON.parse.
import { Fields } from './fields.ts';
import { KINDS } from './kinds/index.ts';
import type { Kind, ReadColumn } from './kinds/kind.ts';
import type { ColumnSpec } from './spec.ts';
import type { JsonObject, Row, RowSink } from './types.ts';

interface Compiled {
  read: Kind<unknown>['read'];
  holder: (src: Fields) => Fields;
  key: string;
  column: ReadColumn<unknown>;
}

/**
 * Splits a dotted path into the reader holding its last key, and that key. Resolved once per table,
 * walked per record without allocating: this runs for every field of every line.
 */
function locate(path: string): { holder: (src: Fields) => Fields; key: string } {
  const parts = path.split('.');
  const key = parts.pop()!;
  if (parts.length === 0) return { holder: (src) => src, key };
  return {
    holder: (src) => {
      let f = src;
      for (const p of parts) f = f.object(p);
      return f;
    },
    key,
  };
}

/** Reads the columns into a row, in order. */
function columnsReader(specs: readonly ColumnSpec[]): (src: Fields, row: Row) => void {
  const compiled: Compiled[] = specs.map((spec) => {
    const read = columnsReader(spec.fields ?? []);
    const element = spec.fields === null ? null : (src: Fields): Row => {
      const row: Row = {};
      read(src, row);
      return row;
    };
    return { read: (KINDS[spec.kind] as Kind<unknown>).read, ...locate(spec.path), column: { names: spec.columns.map((c) => c.name), options: spec.options, element } };
  });
  return (src, row) => {
    for (const c of compiled) c.read(c.holder(src), c.key, c.column, row);
  };
}

export interface GeneralTable {
  /** This table's row read through `src`, then the rows of its inline child lists. */
  emit(src: Fields, out: RowSink): void;
  /** A parsed line routed here by its __typename. */
  line(record: JsonObject, out: RowSink): void;
  /** An element of an inline list inside `owner` (e.g. a transaction inside its order), at `position` in its list. */
  element(record: JsonObject, owner: JsonObject, position: number, out: RowSink): void;
}

/** `inline`: the lists whose elements are rows of other tables, each at a dotted path (`transactions`, `risk.assessments`). */
export function generalTable(name: string, specs: readonly ColumnSpec[], inline: ReadonlyArray<{ key: string; table: GeneralTable }>): GeneralTable {
  const read = columnsReader(specs);
  const lists = inline.map(({ key, table }) => ({ ...locate(key), table }));
  // Every row starts as a copy of this: all its columns already present, in schema order, so filling
  // them updates existing properties of one object shape instead of growing a new one per row.
  const template: Row = Object.fromEntries([...specs.flatMap((s) => s.columns.map((c) => c.name)), '_extra'].map((column) => [column, null]));
  const self: GeneralTable = {
    emit(src, out) {
      // Inline children are taken before `_extra` is computed, so they do not also land in it.
      const kids = lists.length === 0 ? null : lists.map(({ holder, key, table }) => ({ table, elements: holder(src).children(key) }));
      const row: Row = { ...template };
      read(src, row);
      row._extra = src.extra();
      out.row(name, row);
      if (kids) for (const { table, elements } of kids) for (const e of elements) table.emit(e, out);
    },
    line(record, out) {
      const src = new Fields(record);
      src.string('__typename');
      self.emit(src, out);
    },
    element(record, owner, position, out) {
      self.emit(new Fields(record, new Fields(owner), position), out);
    },
  };
  return self;
}
