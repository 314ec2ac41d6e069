// A table's NDJSON rows of one batch → a Segment of Parquet pages, in the worker. The rows are read
// back from the NDJSON text the row builders wrote (JSON.parse per line): the byte path and the general
// path stay the one source of every value, at the cost of a parse per row (README, Parquet output).
import type { Segment } from '../pipeline/segment.ts';
import type { TableDef } from '../rows/types.ts';
import { TablePages } from './encode.ts';
import { parquetSchema, type ParquetSchema } from './schema.ts';

const NL = 0x0a;
const schemas = new WeakMap<TableDef, ParquetSchema>();

export function schemaOf(table: TableDef): ParquetSchema {
  let schema = schemas.get(table);
  if (!schema) schemas.set(table, (schema = parquetSchema(table)));
  return schema;
}

export function parquetSegment(table: TableDef, text: Buffer, rows: number): Segment {
  const pages = new TablePages(schemaOf(table));
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(NL, start);
    if (end === -1) end = text.length;
    if (end > start) pages.add(JSON.parse(text.toString('utf8', start, end)) as Record<string, unknown>);
    start = end + 1;
  }
  const { bytes, index } = pages.pages();
  let uncompressed = 0;
  for (const n of index.uncompressed) uncompressed += n;
  return { bytes, rows, textBytes: uncompressed, textCrc32: 0, crc32c: 0, pages: index };
}
