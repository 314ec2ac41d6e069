// The kinds of one column holding one scalar. The general path reads each with a typed getter of
// Fields (fields.ts), which leaves a value of another shape unread (it lands in `_extra`); the byte
// path writes exactly the values that getter takes, and refuses the line on any other.
import { isIntegerString, numericId, type Fields } from '../fields.ts';
import { FALSE, INTEGER, NUMBER, STRING, TRUE, type Tape } from '../tape.ts';
import { COMMA, constant, isDecimalNode, isStringNode, isTimestampNode, latin1, putByte, putConst, putGidNumber, putRaw, putString, putText } from '../tape-values.ts';
import type { ByteRows, ColumnType, JsonValue } from '../types.ts';
import { missing, NULL_TEXT, type Kind } from './kind.ts';

const TRUE_TEXT = constant('true');
const FALSE_TEXT = constant('false');

/** A kind of one scalar column: null when the value is null or missing, else `get`'s value, whose bytes `bytes` writes (false: a value `get` does not take). */
function scalar(type: ColumnType, get: (src: Fields, key: string) => JsonValue, bytes: (tape: Tape, n: number, out: ByteRows) => boolean, description?: (name: string) => string): Kind<undefined> {
  return {
    columns: (name) => [{ name, type, ...(description ? { description: description(name) } : {}) }],
    read(src, key, c, row) {
      row[c.names[0]!] = get(src, key);
    },
    write(c, tape, n, out) {
      putConst(out, c.keys[0]!);
      if (missing(tape, n)) putConst(out, NULL_TEXT);
      else if (!bytes(tape, n, out)) return false;
      putByte(out, COMMA);
      return true;
    },
  };
}

export function stringBytes(tape: Tape, n: number, out: ByteRows): boolean {
  if (!isStringNode(tape.type(n))) return false;
  putString(out, tape, n);
  return true;
}

export const string = scalar('STRING', (src, key) => src.string(key), stringBytes);

/** Int (a JSON number) or UnsignedInt64 (a string of digits), as given. */
export function integerBytes(tape: Tape, n: number, out: ByteRows): boolean {
  const type = tape.type(n);
  if (type === INTEGER) {
    // Up to 15 digits is a safe integer, which JSON.stringify writes as it was written; -0 it writes as 0.
    const start = tape.start(n);
    const digits = tape.end(n) - start - (tape.bytes[start] === 0x2d ? 1 : 0);
    if (digits > 15 || (digits === 1 && tape.bytes[start] === 0x2d && tape.bytes[start + 1] === 0x30)) return false;
  } else if (type !== STRING || !isIntegerString(latin1(tape, tape.start(n) + 1, tape.end(n) - 1))) {
    return false;
  }
  putRaw(out, tape, n);
  return true;
}

export const integer = scalar('INTEGER', (src, key) => src.integer(key), integerBytes);

export const float = scalar('FLOAT', (src, key) => src.float(key), (tape, n, out) => {
  const type = tape.type(n);
  if (type !== INTEGER && type !== NUMBER) return false;
  // As JSON.parse reads it and JSON.stringify writes it (1.50 → 1.5, 1e400 is not finite).
  const value = Number(latin1(tape, tape.start(n), tape.end(n)));
  if (!Number.isFinite(value)) return false;
  putText(out, String(value));
  return true;
});

export const boolean = scalar('BOOLEAN', (src, key) => src.boolean(key), (tape, n, out) => {
  const type = tape.type(n);
  if (type !== TRUE && type !== FALSE) return false;
  putConst(out, type === TRUE ? TRUE_TEXT : FALSE_TEXT);
  return true;
});

// No character a timestamp may hold is ever escaped, so an escaped string is not one either.
export const timestamp = scalar('TIMESTAMP', (src, key) => src.timestamp(key), (tape, n, out) => {
  if (!isTimestampNode(tape, n)) return false;
  putRaw(out, tape, n);
  return true;
});

/** Decimal / Money scalars: Shopify sends them as strings, which keeps their precision. */
export const decimal = scalar('NUMERIC', (src, key) => src.decimal(key), (tape, n, out) => {
  if (!isDecimalNode(tape, n)) return false;
  putRaw(out, tape, n);
  return true;
});

/** A reference to another object by GID (`customer.id`), as its numeric id. */
export const ref = scalar(
  'INTEGER',
  (src, key) => {
    const gid = src.string(key);
    return gid === null ? null : numericId(gid);
  },
  (tape, n, out) => putGidNumber(out, tape, n),
  (name) => `Numeric id of the ${name.replace(/_id$/, '').replaceAll('_', ' ')}`,
);
