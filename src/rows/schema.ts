// BigQuery schemas for the tables, written to <dest>/_schemas/<table>.json: a table's columns (as its
// column kinds make them, kinds/) and the columns the writer appends to every row.
import type { BigQueryColumn, ColumnMode, ColumnType, TableDef } from './types.ts';

export interface BigQueryField {
  name: string;
  type: ColumnType;
  mode: ColumnMode;
  description?: string;
  fields?: BigQueryField[];
}

/** Appended to every table, after the entity's own columns. */
const META_COLUMNS: readonly BigQueryColumn[] = [
  { name: '_extra', type: 'JSON', description: 'Fields of the record that no column holds (e.g. added by a newer API version), or null' },
  { name: '_shop', type: 'STRING', mode: 'REQUIRED', description: 'The shop\'s myshopify domain' },
  { name: '_run_id', type: 'STRING', mode: 'REQUIRED', description: 'The ETL run that wrote the row' },
  { name: '_extracted_at', type: 'TIMESTAMP', mode: 'REQUIRED', description: 'When the row\'s data was read: its bulk operation\'s completedAt (shop: the time of its request)' },
];

function toField(c: BigQueryColumn): BigQueryField {
  return {
    name: c.name,
    type: c.type,
    mode: c.mode ?? 'NULLABLE',
    ...(c.description ? { description: c.description } : {}),
    ...(c.fields ? { fields: c.fields.map(toField) } : {}),
  };
}

export function bigQuerySchema(table: TableDef): BigQueryField[] {
  return [...table.columns, ...META_COLUMNS].map(toField);
}
