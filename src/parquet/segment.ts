// A table's rows of one batch → a Segment of Parquet pages, in the worker. The byte path writes each
// row's values straight into the table's column builders (TablePages as the table's RowOut); a row of
// the general path (a line the byte path refused) is its JSON text, scanned into the same builders.
import type { Segment } from '../pipeline/segment.ts';
import type { TableDef } from '../rows/types.ts';
import { TablePages } from './encode.ts';
import { parquetSchema, type ParquetSchema } from './schema.ts';

const schemas = new WeakMap<TableDef, ParquetSchema>();
// Per thread, kept between batches (pages() empties a builder): its columns' buffers grow once to a
// batch's size. Taken out while a batch writes into it, so a batch that fails halfway (a row refused
// with some of its columns written) leaves no builder behind for the next.
const builders = new Map<string, TablePages>();

export function schemaOf(table: TableDef): ParquetSchema {
  let schema = schemas.get(table);
  if (!schema) schemas.set(table, (schema = parquetSchema(table)));
  return schema;
}

/** The thread's builder for a table (`key`: entity/table), stamped for the batch. */
export function takePages(key: string, table: TableDef, currency: string, extractedAt: string): TablePages {
  const pages = builders.get(key) ?? new TablePages(schemaOf(table));
  builders.delete(key);
  pages.stamp(table.shopCurrencyColumns ?? [], currency, extractedAt);
  return pages;
}

/** Gives a builder back for the next batch. */
export function keepPages(key: string, pages: TablePages): void {
  builders.set(key, pages);
}

/** The pages of the rows the builder holds; the builder is emptied and kept. */
export function parquetSegment(key: string, builder: TablePages): Segment {
  const rows = builder.rows;
  const { bytes, index } = builder.pages();
  keepPages(key, builder);
  let uncompressed = 0;
  for (const n of index.uncompressed) uncompressed += n;
  return { bytes, rows, textBytes: uncompressed, textCrc32: 0, crc32c: 0, pages: index };
}
