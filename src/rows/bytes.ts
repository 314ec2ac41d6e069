// The byte path: a JSONL line straight to its row, without JSON.parse. The line is scanned into a tape
// (tape.ts), each column finds its value there by path, and its kind's write() (kinds/) hands the
// value's node to the table's RowOut (types.ts), which copies the line's own bytes into the row's NDJSON
// (a string Shopify wrote is, byte for byte, what JSON.stringify writes for it, once `\/` is unescaped)
// or into its Parquet columns (src/parquet/encode.ts). A kind writes only values the general path (read.ts) would put
// in its column, and a line with anything else (a key no column reads, a value of another shape) is
// refused: nothing is written, and the line takes JSON.parse and the general path. Parsing and building
// JS values were two thirds of a worker's time; this path creates a JS value only where a column needs
// one (a float, a GID in an unusual form) or for an inline list element it hands to the general path.
// test/rows/byte-path.test.ts checks both paths give the same bytes.
import { KINDS } from './kinds/index.ts';
import type { Kind, WriteColumn } from './kinds/kind.ts';
import type { ColumnSpec } from './spec.ts';
import { ARRAY, ESCAPED_STRING, NULL, OBJECT, STRING, Tape } from './tape.ts';
import { ascii, constant, isStringNode, parsedValue, stringValue, type Constant } from './tape-values.ts';
import type { ByteSink, JsonObject, LineInfo, RowOut } from './types.ts';

/** An inline list whose elements are rows of another table, written after the owner's row. */
export interface InlineBytes {
  /** Its dotted path in the owner (`transactions`, `risk.assessments`). */
  key: string;
  /** The element table's byte path. */
  table: TableBytes | null;
  /** The general path, for an element the byte path does not take. */
  element: (record: JsonObject, owner: JsonObject, position: number, out: ByteSink) => void;
}

/**
 * Writes the row(s) of the object at tape node `node` into `out`, or returns false having written
 * nothing. `owner` is the node of the owning record's id for an inline list element (its parent id),
 * or -1 for a line of its own (which may carry __typename and __parentId, and an element may not);
 * `position` is an element's place in its list, else -1.
 */
export type TableBytes = (tape: Tape, node: number, owner: number, out: ByteSink, position: number) => boolean;

// -- the plan: which member of which object each column reads -----------------------------------------

/** A slot's value besides a node: the key is absent (or an object on the way is null or absent, which leaves every slot under it so). */
const ABSENT = -1;

/** The keys of one object the table reads (a line, or a nested object like billingAddress). */
class ObjectPlan {
  readonly names: string[] = [];
  readonly keys: Constant[] = [];
  readonly nested: Array<ObjectPlan | null> = [];
  slots = new Int32Array(0);
  #hint = 0;

  key(name: string): number {
    const at = this.names.indexOf(name);
    if (at !== -1) return at;
    this.names.push(name);
    this.keys.push(constant(name));
    this.nested.push(null);
    this.slots = new Int32Array(this.names.length);
    return this.names.length - 1;
  }

  /** Resets this and everything under it to "not seen". */
  clear(): void {
    this.slots.fill(ABSENT);
    for (const n of this.nested) n?.clear();
  }

  /** Fills the slots from object `node`; false on a key this table does not know, a repeated key, or a nested value that is neither an object nor null. */
  resolve(tape: Tape, node: number): boolean {
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

/** Where a column's value is: its slot in the plan of the object holding it. */
interface Ref {
  plan: ObjectPlan;
  index: number;
}

// An object on the way that is null or absent was not resolved, so its slots and its nested plans' are
// all ABSENT since clear(): the slot alone says whether there is a value.
function nodeAt(ref: Ref | null): number {
  return ref === null ? ABSENT : ref.plan.slots[ref.index]!;
}

/** A column to write: its kind's write() and where its value is (null: it reads none, e.g. a position). */
interface Writer {
  write: Kind<unknown>['write'];
  ref: Ref | null;
  column: WriteColumn<unknown>;
  /** The index of its first column among the object's columns (TableDef.columns for a table's row). */
  first: number;
}

/** An object's plan and its column writers, in schema order; `extra`: where each of the extra keys compile() was given is. */
interface CompiledObject {
  plan: ObjectPlan;
  columns: Writer[];
  extra: Ref[];
}

/** Resolves object `node` against the plan, opens it and writes its columns; false on anything a column refuses. A row (not a record in it) says where each column begins (RowOut.beginColumn). */
function writeObject(compiled: CompiledObject, tape: Tape, node: number, owner: number, out: RowOut, position: number, row = false): boolean {
  compiled.plan.clear();
  if (!compiled.plan.resolve(tape, node)) return false;
  out.open();
  const columns = compiled.columns;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    if (row) out.beginColumn(c.first);
    if (!c.write(c.column, tape, nodeAt(c.ref), out, owner, position)) return false;
  }
  return true;
}

/** Compiles columns over a plan, with keys no column reads but the table takes (`extraKeys`, dotted paths); null when a key is read both whole and as an object. */
function compile(specs: readonly ColumnSpec[], extraKeys: readonly string[]): CompiledObject | null {
  const plan = new ObjectPlan();
  const whole = new Set<string>();
  const refOf = (path: string): Ref | null => {
    const parts = path.split('.');
    const last = parts.pop()!;
    let at = plan;
    let prefix = '';
    for (const p of parts) {
      prefix += prefix === '' ? p : `.${p}`;
      if (whole.has(prefix)) return null;
      const k = at.key(p);
      at = at.nested[k] ??= new ObjectPlan();
    }
    const index = at.key(last);
    if (at.nested[index] !== null) return null;
    whole.add(path);
    return { plan: at, index };
  };
  const extra: Ref[] = [];
  for (const k of extraKeys) {
    const ref = refOf(k);
    if (ref === null) return null;
    extra.push(ref);
  }
  const columns: Writer[] = [];
  let first = 0;
  for (const spec of specs) {
    // A column without a path (a position) reads no member of the object.
    const ref = spec.path === '' ? null : refOf(spec.path);
    if (ref === null && spec.path !== '') return null;
    let element: WriteColumn<unknown>['element'] = null;
    if (spec.fields !== null) {
      const compiled = compile(spec.fields, []);
      if (compiled === null) return null;
      element = (tape, node, out) => writeObject(compiled, tape, node, -1, out, -1);
    }
    const keys = spec.columns.map((c) => constant(`${JSON.stringify(c.name)}:`));
    columns.push({ write: (KINDS[spec.kind] as Kind<unknown>).write, ref, column: { keys, options: spec.options, element }, first });
    first += spec.columns.length;
  }
  return { plan, columns, extra };
}

/**
 * The byte path of one table, or null when it cannot have one (a key that is read both whole and as an
 * object).
 */
export function tableBytes(table: string, specs: readonly ColumnSpec[], inline: readonly InlineBytes[]): TableBytes | null {
  // A line carries __typename (read by the router) and, in a child table, __parentId; an inline element neither.
  const compiled = compile(specs, ['__typename', ...inline.map((i) => i.key)]);
  if (compiled === null) return null;
  const { plan } = compiled;
  const typenameSlot = plan.names.indexOf('__typename');
  const parentSlot = plan.names.indexOf('__parentId');
  const lists = inline.map((i, k) => ({ ...i, ref: compiled.extra[k + 1]! }));
  const idSlot = plan.names.indexOf('id');
  // The lists' nodes of the row being written (an element's table is another table, with its own).
  const listNodes = new Int32Array(lists.length);

  return (tape, node, owner, out, position) => {
    const rows = out.bytes(table);
    rows.begin();
    const written = writeObject(compiled, tape, node, owner, rows, position, true);
    const asElement = owner >= 0 && (plan.slots[typenameSlot] !== ABSENT || (parentSlot !== -1 && plan.slots[parentSlot] !== ABSENT));
    let accepted = written && !asElement;
    // The slots are this table's own: read what the lists need before an element reuses them.
    for (let i = 0; accepted && i < lists.length; i++) accepted = isObjectList(tape, (listNodes[i] = nodeAt(lists[i]!.ref)));
    if (!accepted) {
      rows.rollback();
      return false;
    }
    rows.endRow();
    if (lists.length === 0) return true;
    const id = idSlot === -1 ? ABSENT : plan.slots[idSlot]!;
    let ownerRecord: JsonObject | null = null;
    for (let i = 0; i < lists.length; i++) {
      const n = listNodes[i]!;
      if (n < 0 || tape.type(n) === NULL) continue;
      const list = lists[i]!;
      for (let e = tape.first(n), last = tape.next(n), at = 0; e < last; e = tape.next(e), at++) {
        if (id >= 0 && isStringNode(tape.type(id)) && list.table?.(tape, e, id, out, at)) continue;
        // An element the byte path does not take: the general path, as process() would.
        ownerRecord ??= { id: id >= 0 ? parsedValue(tape, id) : null };
        list.element(parsedValue(tape, e) as JsonObject, ownerRecord, at, out);
      }
    }
    return true;
  };
}

/** Absent, null, or an array of objects: what the general path makes rows of (anything else it keeps in `_extra`). */
function isObjectList(tape: Tape, n: number): boolean {
  if (n < 0 || tape.type(n) === NULL) return true;
  if (tape.type(n) !== ARRAY) return false;
  for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) if (tape.type(e) !== OBJECT) return false;
  return true;
}

// -- one entity: lines routed by __typename --------------------------------------------------------

const tape = new Tape();
const NL = 0x0a;
const CR = 0x0d;
const TYPENAME = constant('__typename');
const PARENT_ID = constant('__parentId');
const keys = new Map<string, Constant>();
const keyBytes = (name: string): Constant => keys.get(name) ?? keys.set(name, constant(name)).get(name)!;

/** An entity's byte path over its tables' (null routes make no rows); see Entity.transcode. */
export function entityBytes(routes: ReadonlyArray<readonly [string, TableBytes | null]>) {
  const names = routes.map(([typename]) => ascii(`"${typename}"`));
  return (bytes: Buffer, start: number, limit: number, out: ByteSink, cursorField: string | undefined, line: LineInfo): number => {
    // The line is the object and its end: a newline (CRLF too), or the batch's.
    const end = tape.scan(bytes, start, limit);
    if (end === -1 || !(end === limit || bytes[end] === NL || (bytes[end] === CR && (end + 1 === limit || bytes[end + 1] === NL)))) return -1;
    const typename = tape.member(0, TYPENAME);
    if (typename === -1 || tape.type(typename) !== STRING) return -1;
    let route = names.length - 1;
    while (route >= 0 && !tape.bytesAre(typename, names[route]!)) route--;
    if (route === -1) return -1;
    const table = routes[route]![1];
    if (table !== null && !table(tape, 0, -1, out, -1)) return -1;
    line.root = tape.member(0, PARENT_ID) === -1;
    const cursor = line.root && cursorField !== undefined ? tape.member(0, keyBytes(cursorField)) : -1;
    const type = cursor === -1 ? NULL : tape.type(cursor);
    line.cursorAt = type === STRING ? tape.start(cursor) : -1;
    line.cursor = type === ESCAPED_STRING ? stringValue(tape, cursor) : null;
    return end;
  };
}
