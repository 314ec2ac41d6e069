// Column helpers shared by every entity. A Mapping is a column definition and the code that fills it,
// declared together so a table's schema and its rows cannot drift apart. Paths are dotted field names
// in the JSONL record (`customer.id`, `totalPriceSet`); column names default to their snake_case.
import { EtlError, ErrorCodes } from '../errors.ts';
import { Fields, isDecimalString, numericId } from './fields.ts';
import type { Column, ColumnMode, ColumnType, Emit, Entity, JsonObject, JsonValue, Row, TableDef } from './types.ts';

export interface Mapping {
  readonly columns: readonly Column[];
  read(src: Fields, row: Row): void;
}

/** `displayFinancialStatus` → `display_financial_status`; `primaryDomain.host` → `primary_domain_host`. */
export function snake(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replaceAll('.', '_').toLowerCase();
}

/**
 * Splits a dotted path into the reader holding its last key, and that key. Resolved once per table,
 * walked per record without allocating: this runs for every field of every JSONL line.
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

type Getter = (f: Fields, key: string) => unknown;

function scalar(type: ColumnType, get: Getter, path: string, column: string, mode?: ColumnMode): Mapping {
  const { holder, key } = locate(path);
  return {
    columns: [{ name: column, type, ...(mode ? { mode } : {}) }],
    read(src, row) {
      row[column] = get(holder(src), key);
    },
  };
}

export const str = (path: string, column = snake(path)): Mapping => scalar('STRING', (f, k) => f.string(k), path, column);
export const int = (path: string, column = snake(path)): Mapping => scalar('INTEGER', (f, k) => f.integer(k), path, column);
export const float = (path: string, column = snake(path)): Mapping => scalar('FLOAT', (f, k) => f.float(k), path, column);
export const bool = (path: string, column = snake(path)): Mapping => scalar('BOOLEAN', (f, k) => f.boolean(k), path, column);
export const ts = (path: string, column = snake(path)): Mapping => scalar('TIMESTAMP', (f, k) => f.timestamp(k), path, column);
export const decimal = (path: string, column = snake(path)): Mapping => scalar('NUMERIC', (f, k) => f.decimal(k), path, column);
/** A list of scalars as a REPEATED STRING column ([] when Shopify sends null). */
export const strings = (path: string, column = snake(path)): Mapping => scalar('STRING', (f, k) => f.strings(k), path, column, 'REPEATED');

/** The record's own GID as `admin_graphql_api_id` and its numeric part as `id`. */
export function id(options: { required: boolean } = { required: true }): Mapping {
  const mode = options.required ? 'REQUIRED' : 'NULLABLE';
  return {
    columns: [
      { name: 'id', type: 'INTEGER', mode, description: 'Numeric Shopify id (from the GID)' },
      { name: 'admin_graphql_api_id', type: 'STRING', mode, description: 'Shopify global id (GID)' },
    ],
    read(src, row) {
      const gid = src.string('id');
      if (gid === null && options.required) throw new EtlError(ErrorCodes.MALFORMED_JSONL, 'record has no id');
      row.id = gid === null ? null : numericId(gid);
      row.admin_graphql_api_id = gid;
    },
  };
}

/** The parent's numeric id: from `__parentId` on a connection child line, or the id of the record an inline list sits in. */
export function parentId(column: string): Mapping {
  return {
    columns: [{ name: column, type: 'INTEGER', mode: 'REQUIRED', description: 'Numeric id of the parent record' }],
    read(src, row) {
      const gid = src.parentGid();
      if (gid === null) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `child record has no __parentId (needed for ${column})`);
      row[column] = numericId(gid);
    },
  };
}

/** A reference to another object by GID (`customer.id`) as its numeric id. */
export function ref(path: string, column: string): Mapping {
  const { holder, key } = locate(path);
  return {
    columns: [{ name: column, type: 'INTEGER', description: `Numeric id of the ${column.replace(/_id$/, '').replaceAll('_', ' ')}` }],
    read(src, row) {
      const gid = holder(src).string(key);
      row[column] = gid === null ? null : numericId(gid);
    },
  };
}

type MoneyValue = { amount: string; currencyCode: string };

/** Counts an object's own keys without allocating (Object.keys would, on every money of every line). */
function keyCount(v: object): number {
  let n = 0;
  for (const _ in v) n++;
  return n;
}

/** `{ amount, currencyCode }` and nothing else, both of the expected shape, or null. */
function exactMoney(v: JsonValue | undefined): MoneyValue | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || keyCount(v) !== 2) return null;
  return typeof v.amount === 'string' && isDecimalString(v.amount) && typeof v.currencyCode === 'string' ? (v as MoneyValue) : null;
}

/** `{ shopMoney: { amount, currencyCode } }` and nothing else, or null. */
function exactShopMoney(v: JsonValue | undefined): MoneyValue | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || keyCount(v) !== 1) return null;
  return exactMoney(v.shopMoney);
}

/**
 * Money is on every order and line item many times over: when it has exactly its expected shape
 * (nearly always) it is taken whole, without a reader per nested object and with nothing left for
 * `_extra`; otherwise it is read field by field like anything else.
 */
function moneyMapping(path: string, column: string, exact: (v: JsonValue | undefined) => MoneyValue | null, amountHolder: (f: Fields) => Fields): Mapping {
  const { holder, key } = locate(path);
  const currency = `${column}_currency`;
  return {
    columns: [
      { name: column, type: 'NUMERIC', description: 'Decimal amount' },
      { name: currency, type: 'STRING', description: `ISO 4217 currency of ${column}` },
    ],
    read(src, row) {
      const parent = holder(src);
      const whole = exact(parent.peek(key));
      if (whole) {
        parent.taken(key);
        row[column] = whole.amount;
        row[currency] = whole.currencyCode;
        return;
      }
      const money = amountHolder(parent.object(key));
      row[column] = money.decimal('amount');
      row[currency] = money.string('currencyCode');
    },
  };
}

/** A MoneyV2 (`{ amount, currencyCode }`) as `<column>` (NUMERIC) and `<column>_currency`. */
export function moneyV2(path: string, column = snake(path)): Mapping {
  return moneyMapping(path, column, exactMoney, (f) => f);
}

/** A MoneyBag (`totalPriceSet { shopMoney }`) in the shop's currency: `total_price` + `total_price_currency`. */
export function money(path: string, column = snake(path).replace(/_set$/, '')): Mapping {
  return moneyMapping(path, column, exactShopMoney, (f) => f.object('shopMoney'));
}

const ADDRESS_COLUMN: Record<string, string> = { countryCodeV2: 'country_code' };

/** Address fields flattened: under `billingAddress` they become `billing_address_city`, …; at the top level `city`, …. */
export function address(keys: readonly string[], at?: string): Mapping[] {
  const prefix = at === undefined ? '' : `${snake(at)}_`;
  return keys.map((k) => str(at === undefined ? k : `${at}.${k}`, prefix + (ADDRESS_COLUMN[k] ?? snake(k))));
}

/** A list of small objects as a REPEATED RECORD column whose sub-columns are the given mappings. */
export function records(path: string, column: string, fields: readonly Mapping[], description: string): Mapping {
  const { holder, key } = locate(path);
  return {
    columns: [{ name: column, type: 'RECORD', mode: 'REPEATED', description, fields: fields.flatMap((m) => m.columns) }],
    read(src, row) {
      row[column] = holder(src).list(key).map((element) => {
        const out: Row = {};
        for (const m of fields) m.read(element, out);
        return out;
      });
    },
  };
}

/** Tax lines as they appear on orders, line items and shipping lines. */
export const taxLines = (): Mapping =>
  records('taxLines', 'tax_lines', [str('title'), float('rate'), money('priceSet', 'price')], 'Tax lines: title, rate (a fraction), price and price_currency in the shop currency');

export interface Table {
  readonly def: TableDef;
  /** Emits this table's row for the record, then the rows of its inline child lists. */
  emit(src: Fields, emit: Emit): void;
}

export interface TableSpec {
  name: string;
  description: string;
  fields: readonly Mapping[];
  parent?: { column: string; table: string };
  /** Inline lists (e.g. Order.transactions) whose elements are rows of another table. */
  inline?: ReadonlyArray<{ key: string; table: Table }>;
}

export function table(spec: TableSpec): Table {
  const mappings = spec.fields;
  const inline = spec.inline ?? [];
  // Every row starts as a copy of this: all its columns already present, in schema order, so filling
  // them updates existing properties of one object shape instead of growing a new one per row.
  const template: Row = Object.fromEntries([...mappings.flatMap((m) => m.columns.map((c) => c.name)), '_extra'].map((name) => [name, null]));
  return {
    def: {
      name: spec.name,
      description: spec.description,
      columns: mappings.flatMap((m) => m.columns),
      ...(spec.parent ? { parent: spec.parent } : {}),
    },
    emit(src, emit) {
      // Inline children are taken before `_extra` is computed, so they do not also land in it.
      const kids = inline.length === 0 ? null : inline.map(({ key, table: t }) => ({ t, elements: src.children(key) }));
      const row: Row = { ...template };
      for (const m of mappings) m.read(src, row);
      row._extra = src.extra();
      emit(spec.name, row);
      if (kids) for (const { t, elements } of kids) for (const e of elements) t.emit(e, emit);
    },
  };
}

/**
 * Builds `process` and `typenames` from a map of `__typename` → table (null: the record makes no rows,
 * e.g. the product lines of product_metafields). Routing by __typename, never by line order.
 */
export function routeByTypename(entity: string, routes: Record<string, Table | null>): Pick<Entity, 'process' | 'typenames'> {
  const known = Object.keys(routes);
  const byName = new Map(Object.entries(routes));
  return {
    typenames: known,
    process(record: JsonObject, emit: Emit) {
      const src = new Fields(record);
      const typename = src.string('__typename');
      const target = typename === null ? undefined : byName.get(typename);
      if (target === undefined) {
        const what = typename === null ? 'a record without __typename' : `unknown __typename ${JSON.stringify(typename)}`;
        throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${entity}: ${what}; this entity handles ${known.join(', ')}`);
      }
      target?.emit(src, emit);
    },
  };
}
