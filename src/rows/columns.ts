// Column helpers shared by every entity. A Mapping is a column definition and the code that fills it,
// declared together so a table's schema and its rows cannot drift apart. Paths are dotted field names
// in the JSONL record (`customer.id`, `totalPriceSet`); column names default to their snake_case.
//
// A mapping fills its columns two ways. read() is the general path: a Fields reader that copes with any
// shape and keeps whatever no column took in `_extra`. `fast` is the path nearly every record takes:
// when a record has exactly the shape its query asks for (no key unknown, none missing, every value of
// its column's type), the row's JSON is written straight from the parsed record, with no reader, no row
// object and no JSON.stringify of a row: less than half the cost (README, Performance). Anything else falls
// back to read() for the whole row, so the two paths give the same text for every record;
// test/entities/fast-path.test.ts checks that on every sandbox record and on mutations of them.
// Workers first try the byte path (transcode.ts), the fast path done on a line's bytes before any
// JSON.parse; each fast path carries a `scan` saying how, so all three are declared here together.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { Fields, gidNumber, isDecimalString, isIntegerString, isTimestampString, numericId } from './fields.ts';
import { entityTranscoder, tableTranscoder, type Scan, type TableTranscoder } from './transcode.ts';
import type { Entity } from '../entities/types.ts';
import type { Column, ColumnMode, ColumnType, JsonObject, JsonValue, Row, RowSink, TableDef } from './types.ts';

/** A mapping's fast path (see the top of this file). */
export interface Fast {
  /** Dotted paths whose values write() consumes wholly, so a record with exactly these has no `_extra`. */
  readonly paths: readonly string[];
  /** Set on the parent id: a child line carries it as `__parentId`, a list element gets it from its owner. */
  readonly parent?: boolean;
  /** `"column":value,` for each column, or undefined when a value is not of the expected type. */
  write(record: JsonObject, parentGid: string | null): string | undefined;
  /** The same from a line's bytes (transcode.ts); without it, the table has no byte path. */
  readonly scan?: Scan;
}

export interface Mapping {
  readonly columns: readonly Column[];
  read(src: Fields, row: Row): void;
  /** Absent for a mapping without one: its table then always takes the general path. */
  readonly fast?: Fast;
}

/** A column's JSON value for a value of the expected type, exactly as JSON.stringify writes it in a row; else undefined. */
type Encode = (v: JsonValue | undefined) => string | undefined;

// For strings a pattern has already checked (timestamps, decimals, digits): nothing in them needs escaping.
const quoted = (v: string): string => `"${v}"`;

// What JSON.stringify escapes in a string: quote, backslash, control characters, and a surrogate
// (escaped only when lone, but then JSON.stringify decides). Testing for these and quoting the rest
// takes two thirds of the time of JSON.stringify, and nearly every string has none.
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it. */
const jsonString = (v: string): string => (ESCAPED.test(v) ? JSON.stringify(v) : `"${v}"`);

/**
 * The encoders of the typed getters in fields.ts: each accepts exactly what its getter accepts. A value
 * that is null or absent is a null column, as the getters read it (absent keys are not `_extra` either).
 */
export const encode = {
  string: (v) => (typeof v === 'string' ? jsonString(v) : v == null ? 'null' : undefined),
  boolean: (v) => (v === true ? 'true' : v === false ? 'false' : v == null ? 'null' : undefined),
  float: (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : undefined) : v == null ? 'null' : undefined),
  integer: (v) =>
    typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : undefined) : typeof v === 'string' ? (isIntegerString(v) ? quoted(v) : undefined) : v == null ? 'null' : undefined,
  decimal: (v) => (typeof v === 'string' ? (isDecimalString(v) ? quoted(v) : undefined) : v == null ? 'null' : undefined),
  timestamp: (v) => (typeof v === 'string' ? (isTimestampString(v) ? quoted(v) : undefined) : v == null ? 'null' : undefined),
  // null reads as [] (see Fields.strings).
  strings: (v) => (v == null ? '[]' : Array.isArray(v) && v.every((s) => typeof s === 'string') ? JSON.stringify(v) : undefined),
} satisfies Record<string, Encode>;

/** `"column":` as it starts a column's text. */
const key = (column: string): string => `${JSON.stringify(column)}:`;

export function isPlainObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Counts an object's own keys without allocating (Object.keys would, for every object of every line). */
export function keyCount(v: object): number {
  let n = 0;
  for (const _ in v) n++;
  return n;
}

/**
 * The value at a dotted path of a record whose shape was checked (see Shape): every object on the way
 * is an object, null or absent, and the last two make the value null, as the general path reads it.
 */
function valueAt(path: string): (record: JsonObject) => JsonValue | undefined {
  const parts = path.split('.');
  const last = parts.pop()!;
  if (parts.length === 0) return (record) => record[last];
  return (record) => {
    let holder: JsonValue | undefined = record;
    for (const p of parts) {
      holder = (holder as JsonObject)[p];
      if (holder == null) return null;
    }
    return (holder as JsonObject)[last];
  };
}

/**
 * The keys a record may have for the fast path, built from the paths its mappings consume. A key may be
 * absent (Shopify leaves out fields a union member lacks, e.g. `code` on an automatic discount), but
 * any key not here means `_extra`, which only the general path writes.
 */
interface Shape {
  readonly keys: readonly string[];
  /** Keys holding an object of its own shape (or null). */
  readonly nested: ReadonlyArray<readonly [string, Shape]>;
}

function shapeOf(paths: Iterable<string>): Shape {
  const whole = new Set<string>();
  const deeper = new Map<string, string[]>();
  for (const path of paths) {
    const dot = path.indexOf('.');
    if (dot === -1) whole.add(path);
    else (deeper.get(path.slice(0, dot)) ?? deeper.set(path.slice(0, dot), []).get(path.slice(0, dot))!).push(path.slice(dot + 1));
  }
  const nested = [...deeper].filter(([k]) => !whole.has(k)).map(([k, rest]) => [k, shapeOf(rest)] as const);
  return { keys: [...whole], nested };
}

function hasShape(record: JsonObject, shape: Shape): boolean {
  let known = 0;
  for (const k of shape.keys) if (record[k] !== undefined) known++;
  for (const [k, inner] of shape.nested) {
    const v = record[k];
    if (v === undefined) continue;
    if (v !== null && !(isPlainObject(v) && hasShape(v, inner))) return false;
    known++;
  }
  return keyCount(record) === known;
}

/** A row's text from its mappings' fast paths (`"a":1,"b":2,`), or undefined; null when a mapping has none. */
type FastColumns = (record: JsonObject, parentGid: string | null) => string | undefined;

function fastColumns(mappings: readonly Mapping[]): FastColumns | null {
  const fasts = mappings.map((m) => m.fast);
  if (!fasts.every((f) => f !== undefined)) return null;
  return (record, parentGid) => {
    let text = '';
    for (const f of fasts) {
      const part = f.write(record, parentGid);
      if (part === undefined) return undefined;
      text += part;
    }
    return text;
  };
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

/** How a scalar's bytes are written (transcode.ts): by kind, checked by a pattern, or parsed and encoded. */
type ScalarScan = 'string' | 'boolean' | 'integer' | 'float' | 'decimal' | ((v: string) => boolean) | 'value';

function scalar(type: ColumnType, get: Getter, enc: Encode, scanAs: ScalarScan, path: string, column: string, mode?: ColumnMode): Mapping {
  const { holder, key: last } = locate(path);
  const value = valueAt(path);
  const start = key(column);
  const write = (v: JsonValue | undefined): string | undefined => {
    const text = enc(v);
    return text === undefined ? undefined : `${start}${text},`;
  };
  const scan: Scan =
    scanAs === 'value' ? { kind: 'value', path, write } : typeof scanAs === 'function' ? { kind: 'pattern', path, prefix: start, test: scanAs } : { kind: scanAs, path, prefix: start };
  return {
    columns: [{ name: column, type, ...(mode ? { mode } : {}) }],
    read(src, row) {
      row[column] = get(holder(src), last);
    },
    fast: { paths: [path], write: (record) => write(value(record)), scan },
  };
}

export const str = (path: string, column = snake(path)): Mapping => scalar('STRING', (f, k) => f.string(k), encode.string, 'string', path, column);
export const int = (path: string, column = snake(path)): Mapping => scalar('INTEGER', (f, k) => f.integer(k), encode.integer, 'integer', path, column);
export const float = (path: string, column = snake(path)): Mapping => scalar('FLOAT', (f, k) => f.float(k), encode.float, 'float', path, column);
export const bool = (path: string, column = snake(path)): Mapping => scalar('BOOLEAN', (f, k) => f.boolean(k), encode.boolean, 'boolean', path, column);
export const ts = (path: string, column = snake(path)): Mapping => scalar('TIMESTAMP', (f, k) => f.timestamp(k), encode.timestamp, isTimestampString, path, column);
export const decimal = (path: string, column = snake(path)): Mapping => scalar('NUMERIC', (f, k) => f.decimal(k), encode.decimal, 'decimal', path, column);
/** A list of scalars as a REPEATED STRING column ([] when Shopify sends null). */
export const strings = (path: string, column = snake(path)): Mapping => scalar('STRING', (f, k) => f.strings(k), encode.strings, 'value', path, column, 'REPEATED');

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
    fast: {
      paths: ['id'],
      write(record) {
        const gid = record.id;
        if (typeof gid !== 'string') return gid === null && !options.required ? '"id":null,"admin_graphql_api_id":null,' : undefined;
        const n = gidNumber(gid);
        return n === undefined ? undefined : `"id":"${n}","admin_graphql_api_id":${jsonString(gid)},`;
      },
      scan: { kind: 'id', required: options.required },
    },
  };
}

/** The parent's numeric id: from `__parentId` on a connection child line, or the id of the record an inline list sits in. */
export function parentId(column: string): Mapping {
  const start = key(column);
  return {
    columns: [{ name: column, type: 'INTEGER', mode: 'REQUIRED', description: 'Numeric id of the parent record' }],
    read(src, row) {
      const gid = src.parentGid();
      if (gid === null) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `child record has no __parentId (needed for ${column})`);
      row[column] = numericId(gid);
    },
    fast: {
      paths: [],
      parent: true,
      write(record, parentGid) {
        const gid = parentGid ?? record.__parentId;
        const n = typeof gid === 'string' ? gidNumber(gid) : undefined;
        return n === undefined ? undefined : `${start}"${n}",`;
      },
      scan: { kind: 'parent', prefix: start },
    },
  };
}

/** A reference to another object by GID (`customer.id`) as its numeric id. */
export function ref(path: string, column: string): Mapping {
  const { holder, key: last } = locate(path);
  const value = valueAt(path);
  const start = key(column);
  return {
    columns: [{ name: column, type: 'INTEGER', description: `Numeric id of the ${column.replace(/_id$/, '').replaceAll('_', ' ')}` }],
    read(src, row) {
      const gid = holder(src).string(last);
      row[column] = gid === null ? null : numericId(gid);
    },
    fast: {
      paths: [path],
      write(record) {
        const gid = value(record);
        if (typeof gid !== 'string') return gid == null ? `${start}null,` : undefined;
        const n = gidNumber(gid);
        return n === undefined ? undefined : `${start}"${n}",`;
      },
      scan: { kind: 'ref', path, prefix: start },
    },
  };
}

type MoneyValue = { amount: string; currencyCode: string };

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
  const { holder, key: last } = locate(path);
  const value = valueAt(path);
  const currency = `${column}_currency`;
  const amountStart = key(column);
  const currencyStart = key(currency);
  return {
    columns: [
      { name: column, type: 'NUMERIC', description: 'Decimal amount' },
      { name: currency, type: 'STRING', description: `ISO 4217 currency of ${column}` },
    ],
    read(src, row) {
      const parent = holder(src);
      const whole = exact(parent.peek(last));
      if (whole) {
        parent.taken(last);
        row[column] = whole.amount;
        row[currency] = whole.currencyCode;
        return;
      }
      const money = amountHolder(parent.object(last));
      row[column] = money.decimal('amount');
      row[currency] = money.string('currencyCode');
    },
    fast: {
      paths: [path],
      write(record) {
        const v = value(record);
        if (v == null) return `${amountStart}null,${currencyStart}null,`;
        const whole = exact(v);
        return whole === null ? undefined : `${amountStart}"${whole.amount}",${currencyStart}${jsonString(whole.currencyCode)},`;
      },
      scan: { kind: 'money', path, shopMoney: exact === exactShopMoney, amountPrefix: amountStart, currencyPrefix: currencyStart },
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
  const { holder, key: last } = locate(path);
  const value = valueAt(path);
  const start = key(column);
  const elementShape = shapeOf(fields.flatMap((m) => m.fast?.paths ?? []));
  const elementColumns = fastColumns(fields);
  const writeList = (list: JsonValue | undefined): string | undefined => {
    if (!Array.isArray(list)) return list == null ? `${start}[],` : undefined;
    let text = '';
    for (const element of list) {
      if (!isPlainObject(element) || !hasShape(element, elementShape)) return undefined;
      const columns = elementColumns!(element, null);
      if (columns === undefined) return undefined;
      text += text === '' ? '{' : ',{';
      text += columns === '' ? '}' : `${columns.slice(0, -1)}}`;
    }
    return `${start}[${text}],`;
  };
  return {
    columns: [{ name: column, type: 'RECORD', mode: 'REPEATED', description, fields: fields.flatMap((m) => m.columns) }],
    read(src, row) {
      row[column] = holder(src).list(last).map((element) => {
        const out: Row = {};
        for (const m of fields) m.read(element, out);
        return out;
      });
    },
    ...(elementColumns && {
      fast: {
        paths: [path],
        write: (record) => writeList(value(record)),
        scan: { kind: 'records', path, prefix: start, fields: fields.map((m) => m.fast?.scan) },
      },
    }),
  };
}

/** Tax lines as they appear on orders, line items and shipping lines. */
export const taxLines = (): Mapping =>
  records('taxLines', 'tax_lines', [str('title'), float('rate'), money('priceSet', 'price')], 'Tax lines: title, rate (a fraction), price and price_currency in the shop currency');

export interface Table {
  readonly def: TableDef;
  /** The general path: this table's row read through `src`, then the rows of its inline child lists. */
  emit(src: Fields, out: RowSink): void;
  /** A record routed here by its __typename: the fast path when the sink takes text and the record has the expected shape, else emit(). */
  line(record: JsonObject, out: RowSink): void;
  /** An element of an inline list inside `owner` (e.g. a transaction inside its order), as line() does. */
  element(record: JsonObject, owner: JsonObject, out: RowSink): void;
  /** The byte path of a line routed here (transcode.ts), or null when a mapping has none. */
  readonly transcoder: TableTranscoder | null;
}

export interface TableSpec {
  name: string;
  description: string;
  fields: readonly Mapping[];
  parent?: { column: string; table: string };
  /** Inline lists (e.g. Order.transactions) whose elements are rows of another table. */
  inline?: ReadonlyArray<{ key: string; table: Table }>;
  /** Amount columns in the shop's currency that Shopify gives without one: each gets `<column>_currency` (TableDef.shopCurrencyColumns). */
  inShopCurrency?: readonly string[];
}

/** An inline list's key, consumed by the fast path when it holds objects (or is null); the elements become rows of their own. */
function inlineList(listKey: string): Mapping {
  return {
    columns: [],
    read() {},
    fast: {
      paths: [listKey],
      write(record) {
        const list = record[listKey];
        return list == null || (Array.isArray(list) && list.every(isPlainObject)) ? '' : undefined;
      },
    },
  };
}

export function table(spec: TableSpec): Table {
  const name = spec.name;
  const mappings = spec.fields;
  const inline = spec.inline ?? [];
  // Every row starts as a copy of this: all its columns already present, in schema order, so filling
  // them updates existing properties of one object shape instead of growing a new one per row.
  const template: Row = Object.fromEntries([...mappings.flatMap((m) => m.columns.map((c) => c.name)), '_extra'].map((column) => [column, null]));

  const fastMappings = [...mappings, ...inline.map((i) => inlineList(i.key))];
  const columns = fastColumns(fastMappings);
  const paths = fastMappings.flatMap((m) => m.fast?.paths ?? []);
  // A line of its own also carries __typename (read by the router) and, for a child, __parentId.
  const lineShape = shapeOf([...paths, '__typename', ...(mappings.some((m) => m.fast?.parent) ? ['__parentId'] : [])]);
  const elementShape = shapeOf(paths);
  const transcoder =
    columns === null
      ? null
      : tableTranscoder(
          name,
          mappings.map((m) => m.fast?.scan),
          inline.map((i) => ({ key: i.key, table: i.table.transcoder, element: (record, owner, out) => i.table.element(record, owner, out) })),
        );

  const shopCurrency = (spec.inShopCurrency ?? []).map((amount) => ({ name: `${amount}_currency`, type: 'STRING' as const, description: `ISO 4217 currency of ${amount}: the shop's currency` }));
  const self: Table = {
    def: {
      name,
      description: spec.description,
      columns: [...mappings.flatMap((m) => m.columns), ...shopCurrency],
      ...(spec.parent ? { parent: spec.parent } : {}),
      ...(shopCurrency.length ? { shopCurrencyColumns: shopCurrency.map((c) => c.name) } : {}),
    },
    emit(src, out) {
      // Inline children are taken before `_extra` is computed, so they do not also land in it.
      const kids = inline.length === 0 ? null : inline.map(({ key: k, table: t }) => ({ t, elements: src.children(k) }));
      const row: Row = { ...template };
      for (const m of mappings) m.read(src, row);
      row._extra = src.extra();
      out.row(name, row);
      if (kids) for (const { t, elements } of kids) for (const e of elements) t.emit(e, out);
    },
    line(record, out) {
      if (!fastRow(record, null, lineShape, out)) {
        const src = new Fields(record);
        src.string('__typename');
        self.emit(src, out);
      }
    },
    element(record, owner, out) {
      const ownerGid = owner.id;
      if (typeof ownerGid !== 'string' || !fastRow(record, ownerGid, elementShape, out)) self.emit(new Fields(record, new Fields(owner)), out);
    },
    transcoder,
  };

  /** Writes the row and its inline children the fast way and returns true, or returns false having written nothing. */
  function fastRow(record: JsonObject, parentGid: string | null, shape: Shape, out: RowSink): boolean {
    if (columns === null || out.text === undefined || !hasShape(record, shape)) return false;
    const text = columns(record, parentGid);
    if (text === undefined) return false;
    out.text(name, `{${text}`);
    for (const { key: k, table: t } of inline) {
      const list = record[k] as JsonObject[] | null | undefined;
      if (list != null) for (const e of list) t.element(e, record, out);
    }
    return true;
  }

  return self;
}

const noBytePath: TableTranscoder = () => false;

/**
 * Builds `process`, `typenames` and `transcode` from a map of `__typename` → table (null: the record makes no rows,
 * e.g. the product lines of product_metafields). Routing by __typename, never by line order.
 */
export function routeByTypename(entity: string, routes: Record<string, Table | null>): Pick<Entity, 'process' | 'typenames' | 'transcode'> {
  const known = Object.keys(routes);
  const byName = new Map(Object.entries(routes));
  // A table without a byte path sends its lines to process(); null routes make no rows either way.
  const tables = Object.entries(routes).map(([typename, t]) => [typename, t === null ? null : (t.transcoder ?? noBytePath)] as const);
  const transcode = Object.values(routes).some((t) => t?.transcoder) ? entityTranscoder(tables) : undefined;
  return {
    typenames: known,
    ...(transcode && { transcode }),
    process(record: JsonObject, out: RowSink) {
      const typename = record.__typename;
      const target = typeof typename === 'string' ? byName.get(typename) : undefined;
      if (target === undefined) {
        const what = typeof typename !== 'string' ? 'a record without __typename' : `unknown __typename ${JSON.stringify(typename)}`;
        throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${entity}: ${what}; this entity handles ${known.join(', ')}`);
      }
      target?.line(record, out);
    },
  };
}
