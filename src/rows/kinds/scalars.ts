// The kinds of one column holding one scalar. The general path reads each with a typed getter of
// Fields (fields.ts), which leaves a value of another shape unread (it lands in `_extra`); the byte
// path writes exactly the values that getter takes, and refuses the line on any other.
import { isIntegerString, numericId, type Fields } from '../fields.ts';
import { FALSE, INTEGER, NUMBER, STRING, TRUE, type Tape } from '../tape.ts';
import { isDecimalNode, isStringNode, isTimestampNode, latin1, type Constant } from '../tape-values.ts';
import type { ColumnType, JsonValue, RowOut } from '../types.ts';
import { missing, type Kind } from './kind.ts';

/** Writes the value at node `n` as column `key` (null: a list's element), or returns false, writing nothing, for a value its getter does not take. */
type PutValue = (tape: Tape, n: number, key: Constant, out: RowOut) => boolean;

/** A kind of one scalar column: null when the value is null or missing, else `get`'s value, which `put` writes. */
function scalar(type: ColumnType, get: (src: Fields, key: string) => JsonValue, put: PutValue, sample: JsonValue, description?: (name: string) => string): Kind<undefined> {
  return {
    sample: () => sample,
    columns: (name) => [{ name, type, ...(description ? { description: description(name) } : {}) }],
    read(src, key, c, row) {
      row[c.names[0]!] = get(src, key);
    },
    write(c, tape, n, out) {
      if (!missing(tape, n)) return put(tape, n, c.keys[0]!, out);
      out.null(c.keys[0]!);
      return true;
    },
  };
}

export function stringOf(tape: Tape, n: number, key: Constant | null, out: RowOut): boolean {
  if (!isStringNode(tape.type(n))) return false;
  out.string(key, tape, n);
  return true;
}

export const string = scalar('STRING', (src, key) => src.string(key), stringOf, 'Sample text, 12');

/** Int (a JSON number) or UnsignedInt64 (a string of digits), as given. */
export const integerOf: PutValue = (tape, n, key, out) => {
  const type = tape.type(n);
  if (type === INTEGER) {
    // Up to 15 digits is a safe integer, which JSON.stringify writes as it was written; -0 it writes as 0.
    const start = tape.start(n);
    const digits = tape.end(n) - start - (tape.bytes[start] === 0x2d ? 1 : 0);
    if (digits > 15 || (digits === 1 && tape.bytes[start] === 0x2d && tape.bytes[start + 1] === 0x30)) return false;
  } else if (type !== STRING || !isIntegerString(latin1(tape, tape.start(n) + 1, tape.end(n) - 1))) {
    return false;
  }
  out.raw(key, tape, n);
  return true;
};

export const integer = scalar('INTEGER', (src, key) => src.integer(key), integerOf, 3);

export const float = scalar('FLOAT', (src, key) => src.float(key), (tape, n, key, out) => {
  const type = tape.type(n);
  if (type !== INTEGER && type !== NUMBER) return false;
  if (isShortestDecimal(tape, n)) {
    out.raw(key, tape, n);
    return true;
  }
  // As JSON.parse reads it and JSON.stringify writes it (1.50 → 1.5, 1e400 is not finite).
  const value = Number(latin1(tape, tape.start(n), tape.end(n)));
  if (!Number.isFinite(value)) return false;
  out.number(key, value);
  return true;
}, 2.5);

/**
 * Whether a number's text is what JSON.stringify writes for it, so it can be copied (a tax rate, say
 * 0.08875) instead of read into a Number and written back: no exponent, no leading or trailing zero,
 * not -0, at most 15 significant digits (two decimals of that few digits are never the same double,
 * so the shortest text that reads back as it is itself), and not below 1e-6 (written with an exponent).
 */
function isShortestDecimal(tape: Tape, n: number): boolean {
  const b = tape.bytes;
  const end = tape.end(n);
  let i = tape.start(n);
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let significant = 0;
  if (b[i] === 0x30) {
    i++;
    if (i === end) return !negative;
    // A zero before anything but the point has an exponent after it.
    if (b[i] !== 0x2e) return false;
    const zeros = ++i;
    while (i < end && b[i] === 0x30) i++;
    if (i - zeros > 5) return false;
  }
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0x2e) continue;
    if (c < 0x30 || c > 0x39) return false;
    significant++;
  }
  return significant <= 15 && (tape.type(n) === INTEGER || b[end - 1] !== 0x30);
}

export const boolean = scalar('BOOLEAN', (src, key) => src.boolean(key), (tape, n, key, out) => {
  const type = tape.type(n);
  if (type !== TRUE && type !== FALSE) return false;
  out.boolean(key, type === TRUE);
  return true;
}, true);

// No character a timestamp may hold is ever escaped, so an escaped string is not one either.
export const timestamp = scalar('TIMESTAMP', (src, key) => src.timestamp(key), (tape, n, key, out) => {
  if (!isTimestampNode(tape, n)) return false;
  out.raw(key, tape, n);
  return true;
}, '2026-01-02T03:04:05Z');

/** Decimal / Money scalars: Shopify sends them as strings, which keeps their precision. */
export const decimal = scalar('NUMERIC', (src, key) => src.decimal(key), (tape, n, key, out) => {
  if (!isDecimalNode(tape, n)) return false;
  out.raw(key, tape, n);
  return true;
}, '12.34');

/** A reference to another object by GID (`customer.id`), as its numeric id. */
export const ref = scalar(
  'INTEGER',
  (src, key) => {
    const gid = src.string(key);
    return gid === null ? null : numericId(gid);
  },
  (tape, n, key, out) => out.gidNumber(key, tape, n),
  'gid://shopify/Sample/1234567890123',
  (name) => `Numeric id of the ${name.replace(/_id$/, '').replaceAll('_', ' ')}`,
);
