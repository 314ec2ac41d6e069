// The kinds that read a list: of strings (a REPEATED STRING column), of small objects (a REPEATED
// RECORD of sub-columns), or of name/value pairs pivoted into one column per name. A list is null or
// absent reads as empty; a list of another shape is left unread (in `_extra`) by the general path and
// refused by the byte path.
import { ARRAY, OBJECT, STRING, type Tape } from '../tape.ts';
import { ascii, constant, type Constant } from '../tape-values.ts';
import type { RowOut } from '../types.ts';
import { kind, missing, type WriteColumn } from './kind.ts';
import { integerOf, stringOf } from './scalars.ts';

/** A list column with each element written by `element` (false: refuse the line); empty for a missing list. */
function putList<O>(c: WriteColumn<O>, tape: Tape, n: number, out: RowOut, element: (c: WriteColumn<O>, tape: Tape, e: number, out: RowOut) => boolean): boolean {
  if (!missing(tape, n) && tape.type(n) !== ARRAY) return false;
  out.listStart(c.keys[0]!);
  if (!missing(tape, n)) {
    for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) {
      if (e !== tape.first(n)) out.listNext();
      if (!element(c, tape, e, out)) return false;
    }
  }
  out.listEnd();
  return true;
}

/** A list of strings as a REPEATED STRING column; null reads as [] because BigQuery REPEATED columns cannot be null. */
export const strings = kind<undefined>({
  columns: (name) => [{ name, type: 'STRING', mode: 'REPEATED' }],
  read(src, key, c, row) {
    row[c.names[0]!] = src.strings(key);
  },
  write: (c, tape, n, out) => putList(c, tape, n, out, (_c, tape, e, out) => stringOf(tape, e, null, out)),
  sample: () => ['first', 'second'],
});

/** Writes one element of a records column: its columns, opened and closed. */
function putRecord(c: WriteColumn<unknown>, tape: Tape, e: number, out: RowOut): boolean {
  if (tape.type(e) !== OBJECT || !c.element!(tape, e, out)) return false;
  out.close();
  return true;
}

/** A list of small objects as a REPEATED RECORD column of sub-columns (the column's `fields`). */
export const records = kind<{ readonly description: string }>({
  columns: (name, { description }, fields) => [{ name, type: 'RECORD', mode: 'REPEATED', description, fields: [...fields] }],
  read(src, key, c, row) {
    row[c.names[0]!] = src.list(key).map(c.element!);
  },
  write: (c, tape, n, out) => putList(c, tape, n, out, putRecord),
  sample: (_options, element) => (element ? [element(), element()] : []),
});

/** A list of `{ <nameKey>, <valueKey> }` pivoted into one INTEGER column per known name (inventory quantities). */
export interface PivotOptions {
  readonly names: readonly string[];
  readonly nameKey: string;
  readonly valueKey: string;
  /** Each column's description: `<label> "<name>"`. */
  readonly label: string;
}

/** Per pivot column, the bytes it compares keys and names with, and where each name's value was found (reused line after line). */
const pivotBytes = new WeakMap<PivotOptions, { nameKey: Constant; valueKey: Constant; names: Uint8Array[]; found: Int32Array }>();

/** Each name's value node (-1: none), or null when the list is not the byte path's to write. */
function pivotNodes(o: PivotOptions, tape: Tape, n: number): Int32Array | null {
  let p = pivotBytes.get(o);
  if (p === undefined) {
    p = { nameKey: constant(o.nameKey), valueKey: constant(o.valueKey), names: o.names.map((name) => ascii(JSON.stringify(name))), found: new Int32Array(o.names.length) };
    pivotBytes.set(o, p);
  }
  const found = p.found.fill(-1);
  if (missing(tape, n)) return found;
  if (tape.type(n) !== ARRAY) return null;
  // Each known name at most once, as { name, value } and nothing else; anything else takes the general path.
  for (let e = tape.first(n), last = tape.next(n); e < last; e = tape.next(e)) {
    if (tape.type(e) !== OBJECT) return null;
    const a = tape.first(e);
    const b = tape.next(a);
    if (a >= tape.next(e) || b >= tape.next(e) || tape.next(b) !== tape.next(e)) return null;
    const [name, value] = tape.keyIs(a, p.nameKey) && tape.keyIs(b, p.valueKey) ? [a, b] : tape.keyIs(b, p.nameKey) && tape.keyIs(a, p.valueKey) ? [b, a] : [-1, -1];
    if (name === -1 || tape.type(name) !== STRING) return null;
    let at = p.names.length - 1;
    while (at >= 0 && !tape.bytesAre(name, p.names[at]!)) at--;
    if (at === -1 || found[at] !== -1) return null;
    found[at] = value;
  }
  return found;
}

export const pivot = kind<PivotOptions>({
  columns: (_name, { names, label }) => names.map((name) => ({ name, type: 'INTEGER' as const, description: `${label} "${name}"` })),
  read(src, key, c, row) {
    const { names, nameKey, valueKey } = c.options;
    for (const name of names) row[name] = null;
    // A name without a column stays unread, so it shows up in _extra.
    for (const element of src.list(key)) {
      const name = element.peek(nameKey);
      if (typeof name !== 'string' || !names.includes(name)) continue;
      element.string(nameKey);
      row[name] = element.integer(valueKey);
    }
  },
  write(c, tape, n, out) {
    const found = pivotNodes(c.options, tape, n);
    if (found === null) return false;
    for (let i = 0; i < c.keys.length; i++) {
      if (missing(tape, found[i]!)) out.null(c.keys[i]!);
      else if (!integerOf(tape, found[i]!, c.keys[i]!, out)) return false;
    }
    return true;
  },
  sample: ({ names, nameKey, valueKey }) => names.map((name, i) => ({ [nameKey]: name, [valueKey]: i })),
});
