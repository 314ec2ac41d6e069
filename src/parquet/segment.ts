// A table's NDJSON rows of one batch → a Segment of Parquet pages, in the worker. The rows are read
// from the NDJSON text the row builders wrote (scanned into columns, encode.ts): the byte path and the
// general path stay the one source of every value, at the cost of a scan per row (README, Parquet output).
import type { Segment } from '../pipeline/segment.ts';
import type { TableDef } from '../rows/types.ts';
import { TablePages } from './encode.ts';
import { parquetSchema, type ParquetSchema } from './schema.ts';

const NL = 0x0a;
const schemas = new WeakMap<TableDef, ParquetSchema>();
// Per thread, kept between batches (pages() empties it): its columns' buffers grow once to a batch's size.
const builders = new WeakMap<ParquetSchema, TablePages>();

export function schemaOf(table: TableDef): ParquetSchema {
  let schema = schemas.get(table);
  if (!schema) schemas.set(table, (schema = parquetSchema(table)));
  return schema;
}

export function parquetSegment(table: TableDef, text: Buffer, rows: number): Segment {
  const schema = schemaOf(table);
  let pages = builders.get(schema);
  if (!pages) builders.set(schema, (pages = new TablePages(schema)));
  try {
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf(NL, start);
      if (end === -1) end = text.length;
      if (end > start) pages.add(text, start, end);
      start = end + 1;
    }
  } catch (err) {
    // A row refused halfway left some columns a value ahead: the builder is not used again.
    builders.delete(schema);
    throw err;
  }
  const { bytes, index } = pages.pages();
  let uncompressed = 0;
  for (const n of index.uncompressed) uncompressed += n;
  return { bytes, rows, textBytes: uncompressed, textCrc32: 0, crc32c: 0, pages: index };
}
