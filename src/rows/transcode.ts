// The byte path: a JSONL line straight to its row's NDJSON, without JSON.parse. The line is scanned into
// a tape (json-tape.ts), each column finds its value there by path, and the row is written by copying
// the line's own bytes: a string Shopify wrote is, byte for byte, what JSON.stringify writes for it, once
// `\/` is unescaped. It is the fast path (columns.ts) done on bytes, with the same rules: it writes a row
// only for a record the fast path would write, byte for byte, and otherwise writes nothing and returns
// false, so the line takes JSON.parse and the fast or general path as before. Parsing and building JS
// values were two thirds of a worker's time; this path creates a JS value only where a column needs
// one (a GID's number, a float) or for what it does not handle itself (lists, see `value`).
// test/entities/fast-path.test.ts checks the three paths give the same bytes.
import { isIntegerString } from './fields.ts';
import { ARRAY, FALSE, INTEGER, NULL, NUMBER, OBJECT, STRING, TRUE, Tape } from './json-tape.ts';
import {
  ascii,
  COMMA,
  isDecimalNode,
  isStringNode,
  latin1,
  moneyMembers,
  parsedValue,
  putByte,
  putConst,
  putGidNumber,
  putRaw,
  putString,
  putText,
  SHOP_MONEY,
  stringValue,
} from './tape-values.ts';
import type { ByteRows, ByteSink, JsonObject, JsonValue, LineInfo } from './types.ts';

/** How a mapping's columns come from a line's bytes; `prefix` is `"column":`. */
export type Scan =
  | { kind: 'string' | 'boolean' | 'integer' | 'float' | 'decimal'; path: string; prefix: string }
  /** A string a pattern checks (timestamps), written as it is. */
  | { kind: 'pattern'; path: string; prefix: string; test: (v: string) => boolean }
  | { kind: 'id'; required: boolean }
  | { kind: 'parent'; prefix: string }
  | { kind: 'ref'; path: string; prefix: string }
  | { kind: 'money'; path: string; shopMoney: boolean; amountPrefix: string; currencyPrefix: string }
  /** A list of objects as a REPEATED RECORD column, each element's columns from `fields`. */
  | { kind: 'records'; path: string; prefix: string; fields: ReadonlyArray<Scan | undefined> }
  /** Anything else at one path: the value is parsed (JSON.parse of its bytes) and `write` is the fast path's own. */
  | { kind: 'value'; path: string; write: (v: JsonValue | undefined) => string | undefined };

/** An inline list whose elements are rows of another table, written after the owner's row. */
export interface InlineScan {
  key: string;
  /** The element table's byte path. */
  table: TableTranscoder | null;
  /** The fast or general path, for an element the byte path does not take. */
  element: (record: JsonObject, owner: JsonObject, out: ByteSink) => void;
}

/**
 * Writes the row(s) of the object at tape node `node` into `out`, or returns false having written
 * nothing. `owner` is the node of the owning record's id for an inline list element (its parent id),
 * or -1 for a line of its own (which may carry __typename and __parentId, and an element may not).
 */
export type TableTranscoder = (tape: Tape, node: number, owner: number, out: ByteSink) => boolean;

const NULL_TEXT = ascii('null');
const TRUE_TEXT = ascii('true');
const FALSE_TEXT = ascii('false');
const ID_KEY = ascii('"id":');
const ID_MIDDLE = ascii(',"admin_graphql_api_id":');
const EMPTY_LIST = ascii('[]');
const NONE = new Uint8Array(0);
const ID_NULLS = ascii('"id":null,"admin_graphql_api_id":null,');

// -- the plan: which member of which object each column reads -----------------------------------------

/** Slot values besides a node: the key is absent, or an object on the way is null or absent. */
const ABSENT = -1;
const NULL_HOLDER = -2;

/** The keys of one object the table reads (a line, or a nested object like billingAddress). */
class ObjectPlan {
  readonly names: string[] = [];
  readonly keys: Uint8Array[] = [];
  readonly nested: Array<ObjectPlan | null> = [];
  slots = new Int32Array(0);
  present = false;
  #hint = 0;

  key(name: string): number {
    const at = this.names.indexOf(name);
    if (at !== -1) return at;
    this.names.push(name);
    this.keys.push(ascii(name));
    this.nested.push(null);
    this.slots = new Int32Array(this.names.length);
    return this.names.length - 1;
  }

  /** Resets this and everything under it to "not seen". */
  clear(): void {
    this.present = false;
    this.slots.fill(ABSENT);
    for (const n of this.nested) n?.clear();
  }

  /** Fills the slots from object `node`; false on a key this table does not know, a repeated key, or a nested value that is neither an object nor null. */
  resolve(tape: Tape, node: number): boolean {
    this.present = true;
    for (let m = tape.first(node), last = tape.next(node); m < last; m = tape.next(m)) {
      const k = this.#find(tape, m);
      if (k === -1 || this.slots[k] !== ABSENT) return false;
      this.slots[k] = m;
      const nested = this.nested[k];
      if (nested) {
        const type = tape.type(m);
        if (type === OBJECT) {
          if (!nested.resolve(tape, m)) return false;
        } else if (type !== NULL) {
          return false;
        }
      }
    }
    return true;
  }

  // Lines list their keys in the query's order, so the next key is nearly always the one after the last.
  #find(tape: Tape, member: number): number {
    const n = this.keys.length;
    for (let i = 0, k = this.#hint; i < n; i++, k = k + 1 === n ? 0 : k + 1) {
      if (tape.keyIs(member, this.keys[k]!)) {
        this.#hint = k + 1 === n ? 0 : k + 1;
        return k;
      }
    }
    return -1;
  }
}

/** Where a column's value is: the objects on the way (each must be present) and the slot in the last. */
interface Ref {
  holders: ObjectPlan[];
  plan: ObjectPlan;
  index: number;
}

function node(ref: Ref): number {
  for (const h of ref.holders) if (!h.present) return NULL_HOLDER;
  return ref.plan.slots[ref.index]!;
}

const Kind = { String: 0, Boolean: 1, Integer: 2, Float: 3, Decimal: 4, Pattern: 5, Id: 6, Parent: 7, Ref: 8, Money: 9, Records: 10, Value: 11 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * A column to write, as data rather than a closure per column: one function per kind then serves
 * every table, so V8 optimises it once, early in the first batch, instead of a closure at a time.
 */
interface Column {
  kind: Kind;
  ref: Ref;
  /** `"name":` (for money, the amount's). */
  prefix: Uint8Array;
  /** Money: the currency's `"name":`. */
  prefix2: Uint8Array;
  /** Id: required; money: a MoneyBag (its shopMoney), not a MoneyV2. */
  flag: boolean;
  test: ((v: string) => boolean) | null;
  element: CompiledObject | null;
  write: ((v: JsonValue | undefined) => string | undefined) | null;
}

/** Writes a column's `"name":value,`, or returns false; `owner` as in TableTranscoder. */
function writeColumn(c: Column, tape: Tape, out: ByteRows, owner: number): boolean {
  switch (c.kind) {
    case Kind.String:
      return stringColumn(c, tape, out);
    case Kind.Boolean:
      return booleanColumn(c, tape, out);
    case Kind.Integer:
      return integerColumn(c, tape, out);
    case Kind.Float:
      return floatColumn(c, tape, out);
    case Kind.Decimal:
      return decimalColumn(c, tape, out);
    case Kind.Pattern:
      return patternColumn(c, tape, out);
    case Kind.Id:
      return idColumn(c, tape, out);
    case Kind.Parent:
      return parentColumn(c, tape, out, owner);
    case Kind.Ref:
      return refColumn(c, tape, out);
    case Kind.Money:
      return moneyColumn(c, tape, out);
    case Kind.Records:
      return recordsColumn(c, tape, out);
    case Kind.Value:
      return valueColumn(c, tape, out);
  }
}

function stringColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  putConst(out, c.prefix);
  if (n < 0 || tape.type(n) === NULL) putConst(out, NULL_TEXT);
  else if (isStringNode(tape.type(n))) putString(out, tape, n);
  else return false;
  putByte(out, COMMA);
  return true;
}

function booleanColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  const type = n < 0 ? NULL : tape.type(n);
  putConst(out, c.prefix);
  if (type === NULL) putConst(out, NULL_TEXT);
  else if (type === TRUE) putConst(out, TRUE_TEXT);
  else if (type === FALSE) putConst(out, FALSE_TEXT);
  else return false;
  putByte(out, COMMA);
  return true;
}

function integerColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  const type = n < 0 ? NULL : tape.type(n);
  putConst(out, c.prefix);
  if (type === NULL) {
    putConst(out, NULL_TEXT);
  } else if (type === INTEGER) {
    // Up to 15 digits is a safe integer, which JSON.stringify writes as it was written; -0 it writes as 0.
    const start = tape.start(n);
    const digits = tape.end(n) - start - (tape.bytes[start] === 0x2d ? 1 : 0);
    if (digits > 15 || (digits === 1 && tape.bytes[start] === 0x2d && tape.bytes[start + 1] === 0x30)) return false;
    putRaw(out, tape, n);
  } else if (type === STRING && isIntegerString(latin1(tape, tape.start(n) + 1, tape.end(n) - 1))) {
    putRaw(out, tape, n);
  } else {
    return false;
  }
  putByte(out, COMMA);
  return true;
}

function patternColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  const type = n < 0 ? NULL : tape.type(n);
  putConst(out, c.prefix);
  if (type === NULL) putConst(out, NULL_TEXT);
  // No character these patterns accept is ever escaped, so an escaped string fails them as well.
  else if (type === STRING && c.test!(latin1(tape, tape.start(n) + 1, tape.end(n) - 1))) putRaw(out, tape, n);
  else return false;
  putByte(out, COMMA);
  return true;
}

function idColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  if (n >= 0 && tape.type(n) === NULL) {
    if (c.flag) return false;
    putConst(out, ID_NULLS);
    return true;
  }
  if (n < 0) return false;
  putConst(out, ID_KEY);
  if (!putGidNumber(out, tape, n)) return false;
  putConst(out, ID_MIDDLE);
  putString(out, tape, n);
  putByte(out, COMMA);
  return true;
}

/** The parent's number: from the owner's id for an inline element, else from the line's __parentId. */
function parentColumn(c: Column, tape: Tape, out: ByteRows, owner: number): boolean {
  const n = owner >= 0 ? owner : node(c.ref);
  putConst(out, c.prefix);
  if (n < 0 || !putGidNumber(out, tape, n)) return false;
  putByte(out, COMMA);
  return true;
}

function refColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  putConst(out, c.prefix);
  if (n < 0 || tape.type(n) === NULL) putConst(out, NULL_TEXT);
  else if (!putGidNumber(out, tape, n)) return false;
  putByte(out, COMMA);
  return true;
}

function floatColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  const type = n < 0 ? NULL : tape.type(n);
  putConst(out, c.prefix);
  if (type === NULL) {
    putConst(out, NULL_TEXT);
  } else if (type === INTEGER || type === NUMBER) {
    // As JSON.parse reads it and JSON.stringify writes it (1.50 → 1.5, 1e400 is not finite).
    const value = Number(latin1(tape, tape.start(n), tape.end(n)));
    if (!Number.isFinite(value)) return false;
    putText(out, String(value));
  } else {
    return false;
  }
  putByte(out, COMMA);
  return true;
}

function decimalColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  putConst(out, c.prefix);
  if (n < 0 || tape.type(n) === NULL) putConst(out, NULL_TEXT);
  else if (isDecimalNode(tape, n)) putRaw(out, tape, n);
  else return false;
  putByte(out, COMMA);
  return true;
}

function moneyColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  let n = node(c.ref);
  if (n < 0 || tape.type(n) === NULL) {
    putConst(out, c.prefix);
    putConst(out, NULL_TEXT);
    putByte(out, COMMA);
    putConst(out, c.prefix2);
    putConst(out, NULL_TEXT);
    putByte(out, COMMA);
    return true;
  }
  if (tape.type(n) !== OBJECT) return false;
  if (c.flag) {
    const inner = tape.first(n);
    if (inner >= tape.next(n) || tape.next(inner) !== tape.next(n) || !tape.keyIs(inner, SHOP_MONEY) || tape.type(inner) !== OBJECT) return false;
    n = inner;
  }
  const members = moneyMembers(tape, n);
  if (members === null) return false;
  putConst(out, c.prefix);
  putRaw(out, tape, members[0]);
  putByte(out, COMMA);
  putConst(out, c.prefix2);
  putString(out, tape, members[1]);
  putByte(out, COMMA);
  return true;
}

function recordsColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  putConst(out, c.prefix);
  if (n < 0 || tape.type(n) === NULL) {
    putConst(out, EMPTY_LIST);
  } else if (tape.type(n) === ARRAY) {
    putByte(out, 0x5b);
    for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) {
      if (e !== tape.first(n)) putByte(out, COMMA);
      if (tape.type(e) !== OBJECT || !writeObject(c.element!, tape, e, -1, out)) return false;
      // The element's columns end with a comma: the brace takes its place.
      if (out.buf[out.length - 1] === COMMA) out.buf[out.length - 1] = 0x7d;
      else putByte(out, 0x7d);
    }
    putByte(out, 0x5d);
  } else {
    return false;
  }
  putByte(out, COMMA);
  return true;
}

function valueColumn(c: Column, tape: Tape, out: ByteRows): boolean {
  const n = node(c.ref);
  const text = c.write!(n === ABSENT ? undefined : n === NULL_HOLDER ? null : parsedValue(tape, n));
  if (text === undefined) return false;
  putText(out, text);
  return true;
}

/** An object's plan and its column writers, in schema order. */
interface CompiledObject {
  plan: ObjectPlan;
  columns: Column[];
}

/** Resolves object `node` against the plan and writes `{` and its columns (each ending with a comma); false on anything the fast path would not write. */
function writeObject(compiled: CompiledObject, tape: Tape, node: number, owner: number, out: ByteRows): boolean {
  compiled.plan.clear();
  if (!compiled.plan.resolve(tape, node)) return false;
  putByte(out, 0x7b);
  for (const c of compiled.columns) if (!writeColumn(c, tape, out, owner)) return false;
  return true;
}

/** Compiles mappings' scans over a plan; null when one has none or a key is read both whole and as an object. */
function compile(scans: ReadonlyArray<Scan | undefined>, extraKeys: readonly string[]): CompiledObject | null {
  const plan = new ObjectPlan();
  const whole = new Set<string>();
  const refOf = (path: string): Ref | null => {
    const parts = path.split('.');
    const last = parts.pop()!;
    const holders: ObjectPlan[] = [];
    let at = plan;
    let prefix = '';
    for (const p of parts) {
      prefix += prefix === '' ? p : `.${p}`;
      if (whole.has(prefix)) return null;
      const k = at.key(p);
      at = at.nested[k] ??= new ObjectPlan();
      holders.push(at);
    }
    const index = at.key(last);
    if (at.nested[index] !== null) return null;
    whole.add(path);
    return { holders, plan: at, index };
  };
  for (const k of extraKeys) refOf(k);
  const columns: Column[] = [];
  for (const scan of scans) {
    if (scan === undefined) return null;
    const ref = refOf(scan.kind === 'id' ? 'id' : scan.kind === 'parent' ? '__parentId' : scan.path);
    if (ref === null) return null;
    const c: Column = { kind: Kind.Value, ref, prefix: NONE, prefix2: NONE, flag: false, test: null, element: null, write: null };
    switch (scan.kind) {
      case 'string':
      case 'boolean':
      case 'integer':
      case 'float':
      case 'decimal':
        c.kind = { string: Kind.String, boolean: Kind.Boolean, integer: Kind.Integer, float: Kind.Float, decimal: Kind.Decimal }[scan.kind];
        c.prefix = ascii(scan.prefix);
        break;
      case 'pattern':
        c.kind = Kind.Pattern;
        c.prefix = ascii(scan.prefix);
        c.test = scan.test;
        break;
      case 'id':
        c.kind = Kind.Id;
        c.flag = scan.required;
        break;
      case 'parent':
        c.kind = Kind.Parent;
        c.prefix = ascii(scan.prefix);
        break;
      case 'ref':
        c.kind = Kind.Ref;
        c.prefix = ascii(scan.prefix);
        break;
      case 'money':
        c.kind = Kind.Money;
        c.prefix = ascii(scan.amountPrefix);
        c.prefix2 = ascii(scan.currencyPrefix);
        c.flag = scan.shopMoney;
        break;
      case 'records':
        c.kind = Kind.Records;
        c.prefix = ascii(scan.prefix);
        c.element = compile(scan.fields, []);
        if (c.element === null) return null;
        break;
      case 'value':
        c.write = scan.write;
        break;
    }
    columns.push(c);
  }
  return { plan, columns };
}

/**
 * The byte path of one table, or null when it cannot have one (a mapping without a Scan, or a key that
 * is read both whole and as an object).
 */
export function tableTranscoder(table: string, scans: ReadonlyArray<Scan | undefined>, inline: readonly InlineScan[]): TableTranscoder | null {
  // A line carries __typename (read by the router) and, in a child table, __parentId; an inline element neither.
  const compiled = compile(scans, ['__typename', ...inline.map((i) => i.key)]);
  if (compiled === null) return null;
  const { plan } = compiled;
  const typenameSlot = plan.names.indexOf('__typename');
  const parentSlot = plan.names.indexOf('__parentId');
  const lists = inline.map((i) => ({ ...i, slot: plan.names.indexOf(i.key) }));
  const idSlot = plan.names.indexOf('id');

  return (tape, node, owner, out) => {
    const rows = out.bytes(table);
    const rowStart = rows.length;
    const written = writeObject(compiled, tape, node, owner, rows);
    const asElement = owner >= 0 && (plan.slots[typenameSlot] !== ABSENT || (parentSlot !== -1 && plan.slots[parentSlot] !== ABSENT));
    if (!written || asElement || !lists.every((l) => isObjectList(tape, plan.slots[l.slot]!))) {
      rows.length = rowStart;
      return false;
    }
    rows.endRow();
    if (lists.length === 0) return true;
    // The slots are this table's own: read what the lists need before an element reuses them.
    const id = idSlot === -1 ? ABSENT : plan.slots[idSlot]!;
    const listNodes = lists.map((l) => plan.slots[l.slot]!);
    let ownerRecord: JsonObject | null = null;
    for (let i = 0; i < lists.length; i++) {
      const n = listNodes[i]!;
      if (n < 0 || tape.type(n) === NULL) continue;
      const list = lists[i]!;
      for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) {
        if (id >= 0 && isStringNode(tape.type(id)) && list.table?.(tape, e, id, out)) continue;
        // An element the byte path does not take: the fast or general path, as process() would.
        ownerRecord ??= { id: id >= 0 ? parsedValue(tape, id) : null };
        list.element(parsedValue(tape, e) as JsonObject, ownerRecord, out);
      }
    }
    return true;
  };
}

/** Absent, null, or an array of objects: what the fast path lets an inline list be. */
function isObjectList(tape: Tape, n: number): boolean {
  if (n < 0 || tape.type(n) === NULL) return true;
  if (tape.type(n) !== ARRAY) return false;
  for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) if (tape.type(e) !== OBJECT) return false;
  return true;
}

// -- one entity: lines routed by __typename --------------------------------------------------------

const tape = new Tape();
const TYPENAME = ascii('__typename');
const PARENT_ID = ascii('__parentId');
const keys = new Map<string, Uint8Array>();
const keyBytes = (name: string): Uint8Array => keys.get(name) ?? keys.set(name, ascii(name)).get(name)!;

/** An entity's byte path over its tables' (null routes make no rows); see Entity.transcode. */
export function entityTranscoder(routes: ReadonlyArray<readonly [string, TableTranscoder | null]>) {
  const names = routes.map(([typename]) => ascii(`"${typename}"`));
  return (bytes: Buffer, start: number, end: number, out: ByteSink, cursorField: string | undefined, line: LineInfo): boolean => {
    if (!tape.parse(bytes, start, end)) return false;
    const typename = tape.member(0, TYPENAME);
    if (typename === -1 || tape.type(typename) !== STRING) return false;
    let route = -1;
    const from = tape.start(typename);
    const length = tape.end(typename) - from;
    for (let r = 0; r < names.length && route === -1; r++) {
      const name = names[r]!;
      if (name.length !== length) continue;
      let i = 0;
      while (i < length && bytes[from + i] === name[i]) i++;
      if (i === length) route = r;
    }
    if (route === -1) return false;
    const table = routes[route]![1];
    if (table !== null && !table(tape, 0, -1, out)) return false;
    line.root = tape.member(0, PARENT_ID) === -1;
    const cursor = line.root && cursorField !== undefined ? tape.member(0, keyBytes(cursorField)) : -1;
    line.cursor = cursor !== -1 && isStringNode(tape.type(cursor)) ? stringValue(tape, cursor) : null;
    return true;
  };
}
