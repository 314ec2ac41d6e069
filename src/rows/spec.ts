// The declarative column spec: what entity modules write. A column is a kind (kinds/), the dotted
// path of its value in the record (`customer.id`, `totalPriceSet`) and the options its kind takes;
// column names default to the path in snake_case. A table is its columns, and from them come its
// BigQuery schema and both of its interpreters: the general path (read.ts) and the byte path (bytes.ts).
import { tableBytes, type TableBytes } from './bytes.ts';
import { KINDS, type KindName, type OptionsOf } from './kinds/index.ts';
import type { Kind } from './kinds/kind.ts';
import type { PivotOptions } from './kinds/lists.ts';
import { generalTable, type GeneralTable } from './read.ts';
import type { BigQueryColumn, FormerTable, JsonObject, JsonValue, Reference, TableDef } from './types.ts';

export interface ColumnSpec {
  readonly kind: KindName;
  /** Dotted path of the value in the record. */
  readonly path: string;
  readonly options: unknown;
  /** Sub-columns, for a kind that holds records; else null. */
  readonly fields: readonly ColumnSpec[] | null;
  /** Its BigQuery columns, as its kind names them. */
  readonly columns: readonly BigQueryColumn[];
}

function column<K extends KindName>(kind: K, path: string, name: string, options: OptionsOf<K>, fields: readonly ColumnSpec[] | null = null): ColumnSpec {
  const columns = (KINDS[kind] as Kind<OptionsOf<K>>).columns(name, options, fields?.flatMap((f) => f.columns) ?? []);
  return { kind, path, options, fields, columns };
}

/** `displayFinancialStatus` → `display_financial_status`; `primaryDomain.host` → `primary_domain_host`. */
export function snake(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replaceAll('.', '_').toLowerCase();
}

export const str = (path: string, name = snake(path)): ColumnSpec => column('string', path, name, undefined);
/** Int (a JSON number) or UnsignedInt64 (a JSON string of digits), kept as given. */
export const int = (path: string, name = snake(path)): ColumnSpec => column('integer', path, name, undefined);
export const float = (path: string, name = snake(path)): ColumnSpec => column('float', path, name, undefined);
export const bool = (path: string, name = snake(path)): ColumnSpec => column('boolean', path, name, undefined);
export const ts = (path: string, name = snake(path)): ColumnSpec => column('timestamp', path, name, undefined);
/** Decimal / Money scalars: Shopify sends them as strings, which keeps their precision. */
export const decimal = (path: string, name = snake(path)): ColumnSpec => column('decimal', path, name, undefined);
export const strings = (path: string, name = snake(path)): ColumnSpec => column('strings', path, name, undefined);
export const id = (options = { required: true }): ColumnSpec => column('id', 'id', 'id', options);
export const parentId = (name: string): ColumnSpec => column('parent', '__parentId', name, undefined);
/** An inline list element's position in its list (from 0), for elements without an id: key them by (parent id, position). */
export const position = (name = 'position'): ColumnSpec => column('position', '', name, undefined);
export const ref = (path: string, name: string): ColumnSpec => column('ref', path, name, undefined);
/** A MoneyV2 (`{ amount, currencyCode }`) as `<name>` (NUMERIC) and `<name>_currency`. */
export const moneyV2 = (path: string, name = snake(path)): ColumnSpec => column('money', path, name, undefined);
/** A MoneyBag (`totalPriceSet { shopMoney }`) in the shop's currency: `total_price` + `total_price_currency`. */
export const money = (path: string, name = snake(path).replace(/_set$/, '')): ColumnSpec => column('moneyBag', path, name, undefined);
/** A list of small objects as a REPEATED RECORD column of the given sub-columns. */
export const records = (path: string, name: string, fields: readonly ColumnSpec[], description: string): ColumnSpec => column('records', path, name, { description }, fields);
/** A list of `{ name, value }` objects as one INTEGER column per known name. */
export const pivot = (path: string, options: PivotOptions): ColumnSpec => column('pivot', path, '', options);

const ADDRESS_COLUMN: Record<string, string> = { countryCodeV2: 'country_code' };

/** Address fields flattened: under `billingAddress` they become `billing_address_city`, …; at the top level `city`, …. */
export function address(keys: readonly string[], at?: string): ColumnSpec[] {
  const prefix = at === undefined ? '' : `${snake(at)}_`;
  return keys.map((k) => str(at === undefined ? k : `${at}.${k}`, prefix + (ADDRESS_COLUMN[k] ?? snake(k))));
}

export interface TableSpec {
  name: string;
  description: string;
  columns: readonly ColumnSpec[];
  parent?: { column: string; table: string };
  references?: Reference;
  /**
   * The record's key when it is not a required `id` (TableDef.key): e.g. (`order_id`, `index`) for
   * discount applications, which have no id. Declared where no id column is required.
   */
  key?: readonly string[];
  /** Inline lists whose elements are rows of another table, at a dotted path (Order.transactions: `transactions`; Order.risk.assessments: `risk.assessments`). */
  inline?: ReadonlyArray<{ key: string; table: Table }>;
  /** A table this one replaced, kept for one release as a view of this one's current state (TableDef.formerly). */
  formerly?: FormerTable;
  /** Amount columns in the shop's currency that Shopify gives without one: each gets `<column>_currency` (TableDef.shopCurrencyColumns). */
  inShopCurrency?: readonly string[];
}

export interface Table {
  readonly def: TableDef;
  readonly general: GeneralTable;
  /** The byte path of a line routed here, or null when the table cannot have one (see tableBytes). */
  readonly bytes: TableBytes | null;
  /** A record of the shape Shopify sends for this table, every column and inline list filled: made-up lines to warm the byte path up (src/pipeline/warm-up.ts). */
  sample(): JsonObject;
}

/** A record with each column's sample value at its dotted path. */
function sampleRecord(columns: readonly ColumnSpec[]): JsonObject {
  const record: JsonObject = {};
  for (const c of columns) {
    const value = (KINDS[c.kind] as Kind<unknown>).sample(c.options, c.fields ? () => sampleRecord(c.fields!) : null);
    if (value !== undefined) setPath(record, c.path, value);
  }
  return record;
}

function setPath(record: JsonObject, path: string, value: JsonValue): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let at = record;
  for (const p of parts) at = (at[p] ??= {}) as JsonObject;
  at[last] = value;
}

export function table(spec: TableSpec): Table {
  const inline = spec.inline ?? [];
  const shopCurrency = (spec.inShopCurrency ?? []).map((amount) => ({ name: `${amount}_currency`, type: 'STRING' as const, description: `ISO 4217 currency of ${amount}: the shop's currency` }));
  const general = generalTable(spec.name, spec.columns, inline.map(({ key, table: t }) => ({ key, table: t.general })));
  const columns: BigQueryColumn[] = [...spec.columns.flatMap((c) => c.columns), ...shopCurrency];
  const key = spec.key ?? (columns.some((c) => c.name === 'id' && c.mode === 'REQUIRED') ? ['id'] : undefined);
  return {
    def: {
      name: spec.name,
      description: spec.description,
      columns,
      ...(spec.parent ? { parent: spec.parent } : {}),
      ...(spec.references ? { references: spec.references } : {}),
      ...(key ? { key } : {}),
      ...(shopCurrency.length ? { shopCurrencyColumns: shopCurrency.map((c) => c.name) } : {}),
      ...(spec.formerly ? { formerly: spec.formerly } : {}),
    },
    general,
    bytes: tableBytes(spec.name, spec.columns, inline.map(({ key, table: t }) => ({ key, table: t.bytes, element: t.general.element }))),
    sample() {
      const record = sampleRecord(spec.columns);
      for (const { key, table: t } of inline) setPath(record, key, [t.sample(), t.sample()]);
      return record;
    },
  };
}
