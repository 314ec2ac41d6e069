// A table's Parquet schema, made from its BigQuery schema (rows/schema.ts) so both say the same
// types: INTEGER → INT64, NUMERIC → DECIMAL(38, 9) in 16 bytes (BigQuery's NUMERIC exactly),
// FLOAT → DOUBLE, BOOLEAN, TIMESTAMP → INT64 microseconds adjusted to UTC, DATE → INT32 days,
// STRING → UTF-8 BYTE_ARRAY, JSON (`_extra`) → BYTE_ARRAY annotated JSON, a REPEATED column → the
// standard three-level LIST (`<name>.list.element`), a RECORD → a group. The hive columns (`_shop`,
// `_run_id`: shop= and run= in the part's path) are left out: every row of a part holds the same ones.
import { bigQuerySchema, type BigQueryField } from '../rows/schema.ts';
import type { ColumnType, TableDef } from '../rows/types.ts';
import type { ThriftWriter } from './thrift.ts';

/** Columns a part's path holds (shop=, run=), so its file does not. */
export const HIVE_COLUMNS: ReadonlySet<string> = new Set(['_shop', '_run_id']);

/** parquet.thrift's physical types (Type) and FieldRepetitionType. */
export const Physical = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
export type Physical = (typeof Physical)[keyof typeof Physical];
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export type Repetition = (typeof Repetition)[keyof typeof Repetition];

export const DECIMAL_PRECISION = 38;
export const DECIMAL_SCALE = 9;
export const DECIMAL_BYTES = 16;

export type LeafType = Exclude<ColumnType, 'RECORD'>;

export interface Leaf {
  /** Position among the table's leaves: the order of column chunks in a row group. */
  readonly index: number;
  readonly path: readonly string[];
  readonly type: LeafType;
  readonly physical: Physical;
  readonly maxDef: number;
  readonly maxRep: number;
}

/** A node of the schema tree: a leaf, a struct (RECORD), or a LIST (a REPEATED column: its elements are `element`). */
export interface Node {
  readonly name: string;
  readonly repetition: Repetition;
  readonly leaf: Leaf | null;
  readonly fields: readonly Node[] | null;
  readonly element: Node | null;
  /** For a LIST: the repetition level of its elements after the first. */
  readonly repLevel: number;
}

export interface ParquetSchema {
  readonly root: readonly Node[];
  readonly leaves: readonly Leaf[];
}

const PHYSICAL: Record<LeafType, Physical> = {
  STRING: Physical.BYTE_ARRAY, JSON: Physical.BYTE_ARRAY, INTEGER: Physical.INT64, NUMERIC: Physical.FIXED_LEN_BYTE_ARRAY,
  FLOAT: Physical.DOUBLE, BOOLEAN: Physical.BOOLEAN, TIMESTAMP: Physical.INT64, DATE: Physical.INT32,
};

export function parquetSchema(table: TableDef): ParquetSchema {
  const leaves: Leaf[] = [];
  const node = (f: BigQueryField, name: string, path: readonly string[], def: number, rep: number, repetition: Repetition): Node => {
    const d = repetition === Repetition.REQUIRED ? def : def + 1;
    if (f.type === 'RECORD') {
      return { name, repetition, leaf: null, element: null, repLevel: rep, fields: (f.fields ?? []).map((s) => field(s, [...path, s.name], d, rep)) };
    }
    const leaf: Leaf = { index: leaves.length, path, type: f.type, physical: PHYSICAL[f.type], maxDef: d, maxRep: rep };
    leaves.push(leaf);
    return { name, repetition, leaf, fields: null, element: null, repLevel: rep };
  };
  const field = (f: BigQueryField, path: readonly string[], def: number, rep: number): Node => {
    if (f.mode !== 'REPEATED') return node(f, f.name, path, def, rep, f.mode === 'REQUIRED' ? Repetition.REQUIRED : Repetition.OPTIONAL);
    // <name> (optional, LIST) → list (repeated) → element (optional): levels +1, +1 and +1 for the element.
    const element = node(f, 'element', [...path, 'list', 'element'], def + 2, rep + 1, Repetition.OPTIONAL);
    return { name: f.name, repetition: Repetition.OPTIONAL, leaf: null, fields: null, element, repLevel: rep + 1 };
  };
  const root = bigQuerySchema(table).filter((f) => !HIVE_COLUMNS.has(f.name)).map((f) => field(f, [f.name], 0, 0));
  return { root, leaves };
}

// parquet.thrift's ConvertedType and LogicalType ids.
const CONVERTED_UTF8 = 0;
const CONVERTED_LIST = 3;
const CONVERTED_DECIMAL = 5;
const CONVERTED_DATE = 6;
const CONVERTED_TIMESTAMP_MICROS = 10;
const CONVERTED_JSON = 19;

/** The footer's schema: SchemaElement structs, depth first, after the root. */
export function schemaElements(schema: ParquetSchema): Array<(w: ThriftWriter) => void> {
  const out: Array<(w: ThriftWriter) => void> = [(w) => w.string(4, 'schema').i32(5, schema.root.length)];
  const visit = (n: Node): void => {
    if (n.element) {
      out.push((w) => w.i32(3, n.repetition).string(4, n.name).i32(5, 1).i32(6, CONVERTED_LIST).struct(10, (l) => l.struct(3, () => {})));
      out.push((w) => w.i32(3, Repetition.REPEATED).string(4, 'list').i32(5, 1));
      visit(n.element);
    } else if (n.fields) {
      out.push((w) => w.i32(3, n.repetition).string(4, n.name).i32(5, n.fields!.length));
      n.fields.forEach(visit);
    } else {
      const leaf = n.leaf!;
      out.push((w) => {
        w.i32(1, leaf.physical);
        if (leaf.physical === Physical.FIXED_LEN_BYTE_ARRAY) w.i32(2, DECIMAL_BYTES);
        w.i32(3, n.repetition).string(4, n.name);
        switch (leaf.type) {
          case 'STRING':
            w.i32(6, CONVERTED_UTF8).struct(10, (l) => l.struct(1, () => {}));
            break;
          case 'JSON':
            w.i32(6, CONVERTED_JSON).struct(10, (l) => l.struct(12, () => {}));
            break;
          case 'NUMERIC':
            w.i32(6, CONVERTED_DECIMAL).i32(7, DECIMAL_SCALE).i32(8, DECIMAL_PRECISION).struct(10, (l) => l.struct(5, (d) => d.i32(1, DECIMAL_SCALE).i32(2, DECIMAL_PRECISION)));
            break;
          case 'TIMESTAMP':
            w.i32(6, CONVERTED_TIMESTAMP_MICROS).struct(10, (l) => l.struct(8, (t) => t.bool(1, true).struct(2, (u) => u.struct(2, () => {}))));
            break;
          case 'DATE':
            w.i32(6, CONVERTED_DATE).struct(10, (l) => l.struct(6, () => {}));
            break;
          default:
            break;
        }
      });
    }
  };
  schema.root.forEach(visit);
  return out;
}
