// A row validator for tests: applies the type and mode rules a BigQuery load job would to a row,
// against the table's schema as the product writes it (bigQuerySchema), so tests catch what a load
// would reject.
import { isDecimalString, isIntegerString, isTimestampString } from '../../src/rows/fields.ts';
import { bigQuerySchema, type BigQueryField } from '../../src/rows/schema.ts';
import type { ColumnType, TableDef } from '../../src/rows/types.ts';

const INT64_MAX = 2n ** 63n - 1n;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function typeError(type: ColumnType, v: unknown): string | null {
  switch (type) {
    case 'STRING':
      return typeof v === 'string' ? null : 'a string';
    case 'INTEGER':
      if (typeof v === 'number') return Number.isSafeInteger(v) ? null : 'a safe integer or a string of digits';
      return typeof v === 'string' && isIntegerString(v) && BigInt(v) <= INT64_MAX && BigInt(v) >= -INT64_MAX - 1n ? null : 'a 64-bit integer (number or string of digits)';
    case 'NUMERIC':
      return typeof v === 'string' && isDecimalString(v) ? null : 'a decimal string';
    case 'FLOAT':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'a finite number';
    case 'BOOLEAN':
      return typeof v === 'boolean' ? null : 'a boolean';
    case 'TIMESTAMP':
      return typeof v === 'string' && isTimestampString(v) ? null : 'an ISO-8601 timestamp with a zone';
    case 'DATE':
      return typeof v === 'string' && DATE.test(v) ? null : 'a YYYY-MM-DD date';
    case 'JSON':
      return v === undefined ? 'a JSON value' : null;
    case 'RECORD':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'an object';
  }
}

function checkColumns(columns: readonly BigQueryField[], row: Record<string, unknown>, at: string, errors: string[]): void {
  const known = new Set(columns.map((c) => c.name));
  for (const key of Object.keys(row)) if (!known.has(key)) errors.push(`${at}${key}: unknown column`);
  for (const c of columns) {
    const v = row[c.name];
    const path = `${at}${c.name}`;
    if (c.mode === 'REPEATED') {
      if (!Array.isArray(v)) errors.push(`${path}: REPEATED ${c.type} must be an array, got ${show(v)}`);
      else v.forEach((e, i) => checkValue(c, e, `${path}[${i}]`, errors));
    } else if (v === null || v === undefined) {
      if (c.mode === 'REQUIRED') errors.push(`${path}: REQUIRED, got ${show(v)}`);
    } else checkValue(c, v, path, errors);
  }
}

function checkValue(c: BigQueryField, v: unknown, path: string, errors: string[]): void {
  if (v === null || v === undefined) {
    errors.push(`${path}: null inside a REPEATED column`);
    return;
  }
  const expected = typeError(c.type, v);
  if (expected) errors.push(`${path}: ${c.type} expects ${expected}, got ${show(v)}`);
  else if (c.type === 'RECORD') checkColumns(c.fields ?? [], v as Record<string, unknown>, `${path}.`, errors);
}

function show(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v).slice(0, 80);
}

/** Type and mode problems of one row (meta columns included), as `column: what is wrong`; [] when it loads. */
export function validateRow(table: TableDef, row: Record<string, unknown>): string[] {
  const errors: string[] = [];
  checkColumns(bigQuerySchema(table), row, '', errors);
  return errors;
}
