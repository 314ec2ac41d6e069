// Values on a tape (tape.ts): reading them as JSON.parse would, and writing them into a row's
// bytes as JSON.stringify would, for the byte path (bytes.ts). Rows are written in place: each put
// makes room first (ByteRows.reserve), then copies four bytes at a time through DataViews. A call into
// native code (Buffer.copy) costs ~50 ns whatever the length, and a JS loop ~1.4 ns a byte; words
// halve that for the values and keys of 8 to 40 bytes most columns have.
import { gidNumber } from './fields.ts';
import { ESCAPED_STRING, STRING, type Tape } from './tape.ts';
import type { ByteRows, JsonValue } from './types.ts';

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** ASCII bytes a row writes as they are (a column's `"name":`, `null`) or a key is compared with, as little-endian words padded with zeros. */
export interface Constant {
  readonly length: number;
  readonly words: Int32Array;
}

export function constant(text: string): Constant {
  const bytes = new Uint8Array(Math.ceil(text.length / 4) * 4);
  bytes.set(ascii(text));
  const view = new DataView(bytes.buffer);
  return { length: text.length, words: Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(i * 4, true)) };
}

const QUOTE = 0x22;
export const COMMA = 0x2c;
const MINUS = 0x2d;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

/** Writes a constant: whole words, so up to three bytes of padding land past the end, in room reserved for them and overwritten by what comes next. */
export function putConst(out: ByteRows, text: Constant): void {
  const words = text.words;
  out.reserve(words.length * 4);
  const view = out.view;
  let at = out.length;
  for (let i = 0; i < words.length; i++, at += 4) view.setInt32(at, words[i]!, true);
  out.length += text.length;
}

/** Copies bytes[start, end) of the tape's bytes to the row: word by word, the last word overlapping the one before it. */
function copy(out: ByteRows, tape: Tape, start: number, end: number): void {
  const n = end - start;
  out.reserve(n);
  const at = out.length;
  if (n >= 4) {
    const src = tape.view;
    const dst = out.view;
    const last = end - 4;
    for (let i = start, to = at; i < last; i += 4, to += 4) dst.setInt32(to, src.getInt32(i, true), true);
    dst.setInt32(at + n - 4, src.getInt32(last, true), true);
  } else {
    const src = tape.bytes;
    const buf = out.buf;
    for (let i = 0; i < n; i++) buf[at + i] = src[start + i]!;
  }
  out.length = at + n;
}

export function putByte(out: ByteRows, byte: number): void {
  out.reserve(1);
  out.buf[out.length++] = byte;
}

/** A string node's JSON as JSON.stringify writes its value: the bytes as they are, with `\/` as `/`. */
export function putString(out: ByteRows, tape: Tape, node: number): void {
  const start = tape.start(node);
  const end = tape.end(node);
  if (tape.type(node) === STRING) {
    copy(out, tape, start, end);
    return;
  }
  const src = tape.bytes;
  out.reserve(end - start);
  const buf = out.buf;
  let at = out.length;
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c === BACKSLASH) {
      const escaped = src[++i]!;
      if (escaped !== SLASH) buf[at++] = BACKSLASH;
      buf[at++] = escaped;
    } else {
      buf[at++] = c;
    }
  }
  out.length = at;
}

/** A node's bytes as they are (a number, or a string a pattern checked). */
export function putRaw(out: ByteRows, tape: Tape, node: number): void {
  copy(out, tape, tape.start(node), tape.end(node));
}

/** A JS string's UTF-8 (encoders' output: ASCII nearly always). */
export function putText(out: ByteRows, text: string): void {
  out.reserve(text.length * 3);
  out.length += out.buf.write(text, out.length);
}


/** Bytes as Latin-1 text: for patterns and ASCII, as a byte over 0x7F becomes a character no pattern accepts. */
export function latin1(tape: Tape, from: number, to: number): string {
  return tape.bytes.toString('latin1', from, to);
}

/** A string node's value, as JSON.parse gives it. */
export function stringValue(tape: Tape, node: number): string {
  const start = tape.start(node) + 1;
  const end = tape.end(node) - 1;
  const src = tape.bytes;
  let plain = true; // ASCII with no escape but \/
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c >= 0x80 || (c === BACKSLASH && src[++i] !== SLASH)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const text = latin1(tape, start, end);
    return tape.type(node) === STRING ? text : text.replaceAll('\\/', '/');
  }
  return JSON.parse(src.toString('utf8', start - 1, end + 1)) as string;
}

/** A node's value as JSON.parse gives it. */
export function parsedValue(tape: Tape, node: number): JsonValue {
  return JSON.parse(tape.bytes.toString('utf8', tape.start(node), tape.end(node))) as JsonValue;
}

export const isStringNode = (type: number): boolean => type === STRING || type === ESCAPED_STRING;

const GID_PREFIX = 'gid://shopify/';
// The prefix as Shopify writes it, every slash escaped (17 bytes), checked as four words and a slash.
const ESCAPED_GID_PREFIX = constant('gid:\\/\\/shopify\\/');

function prefixWords(tape: Tape, at: number): boolean {
  const view = tape.view;
  const words = ESCAPED_GID_PREFIX.words;
  return view.getInt32(at, true) === words[0] && view.getInt32(at + 4, true) === words[1] && view.getInt32(at + 8, true) === words[2] && view.getInt32(at + 12, true) === words[3] && tape.bytes[at + 16] === SLASH;
}

/**
 * Where the digits of the GID at string node `n` start in the bytes (they end at its closing quote),
 * when it is plain: `gid://shopify/<Type>/<digits>`, any slash escaped or not, nothing after the
 * digits. Else -1. A number, not a pair: a GID is on nearly every row, and a pair per GID was a third
 * of the bytes a worker allocated.
 */
export function plainGidDigits(tape: Tape, n: number): number {
  const b = tape.bytes;
  const end = tape.end(n) - 1;
  let p = tape.start(n) + 1;
  if (end - p >= ESCAPED_GID_PREFIX.length && prefixWords(tape, p)) {
    p += ESCAPED_GID_PREFIX.length;
  } else {
    for (let i = 0; i < GID_PREFIX.length; i++, p++) {
      const c = GID_PREFIX.charCodeAt(i);
      if (c === SLASH && b[p] === BACKSLASH) p++;
      if (b[p] !== c) return -1;
    }
  }
  const first = b[p]! | 0x20;
  if (first < 0x61 || first > 0x7a) return -1;
  for (p++; p < end; p++) {
    const c = b[p]!;
    if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a))) break;
  }
  if (b[p] === BACKSLASH) p++;
  if (b[p] !== SLASH) return -1;
  const digits = ++p;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  return p === end && p > digits ? digits : -1;
}

/** Writes the number of the GID at node `n` (quoted), or returns false when it is not a Shopify GID. */
export function putGidNumber(out: ByteRows, tape: Tape, n: number): boolean {
  if (!isStringNode(tape.type(n))) return false;
  const digits = plainGidDigits(tape, n);
  if (digits !== -1) {
    // The digits and the closing quote, as they are.
    putByte(out, QUOTE);
    copy(out, tape, digits, tape.end(n));
    return true;
  }
  // Anything else (a query string after the number, other escapes): as the general path reads it.
  const number = gidNumber(stringValue(tape, n));
  if (number === undefined) return false;
  putText(out, `"${number}"`);
  return true;
}

/** Whether string node `n` is a decimal as fields.ts's DECIMAL reads it: -?digits(.digits)?. */
export function isDecimalNode(tape: Tape, n: number): boolean {
  if (tape.type(n) !== STRING) return false;
  const b = tape.bytes;
  const end = tape.end(n) - 1;
  let p = tape.start(n) + 1;
  if (b[p] === 0x2d) p++;
  const whole = p;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  if (p === whole) return false;
  if (p === end) return true;
  if (b[p] !== 0x2e) return false;
  const fraction = ++p;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  return p === end && p > fraction;
}

/** The digit at bytes[at] as a number, or -1. */
function digit(b: Uint8Array, at: number): number {
  const d = b[at]! - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two digits at bytes[at] as a number from 0 to 99, or -1. */
function twoDigits(b: Uint8Array, at: number): number {
  const high = digit(b, at);
  const low = digit(b, at + 1);
  return high === -1 || low === -1 ? -1 : high * 10 + low;
}

/**
 * Whether string node `n` (no escapes) is a timestamp as fields.ts's TIMESTAMP pattern reads one:
 * `YYYY-MM-DDThh:mm:ss`, optional fraction, then `Z` or `±hh:mm`, each field in its range. Checked on
 * the bytes: a string and a pattern match per timestamp of every line cost more than the rest of its column.
 */
export function isTimestampNode(tape: Tape, n: number): boolean {
  if (tape.type(n) !== STRING) return false;
  const b = tape.bytes;
  const p = tape.start(n) + 1;
  const end = tape.end(n) - 1;
  if (end - p < 20 || twoDigits(b, p) === -1 || twoDigits(b, p + 2) === -1 || b[p + 4] !== MINUS || b[p + 7] !== MINUS || b[p + 10] !== 0x54 || b[p + 13] !== COLON || b[p + 16] !== COLON) return false;
  const month = twoDigits(b, p + 5);
  const day = twoDigits(b, p + 8);
  const hour = twoDigits(b, p + 11);
  const minute = twoDigits(b, p + 14);
  const second = twoDigits(b, p + 17);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let q = p + 19;
  if (b[q] === 0x2e) {
    const fraction = ++q;
    while (q < end && digit(b, q) !== -1) q++;
    if (q === fraction) return false;
  }
  if (b[q] === 0x5a) return q + 1 === end;
  if (b[q] !== 0x2b && b[q] !== MINUS) return false;
  const offsetHour = twoDigits(b, q + 1);
  const offsetMinute = twoDigits(b, q + 4);
  return q + 6 === end && offsetHour >= 0 && offsetHour <= 23 && b[q + 3] === COLON && offsetMinute >= 0 && offsetMinute <= 59;
}

const AMOUNT = constant('amount');
const CURRENCY_CODE = constant('currencyCode');
export const SHOP_MONEY = constant('shopMoney');

/**
 * The amount member of object `n` when it has exactly two members, keyed amount (a decimal) and
 * currencyCode (a string); else -1. The other member is the currency (moneyCurrency). Node indexes,
 * not a pair: money is on every order and line item many times over, and a pair per value was a third
 * of the bytes a worker allocated.
 */
export function moneyAmount(tape: Tape, n: number): number {
  const a = tape.first(n);
  const last = tape.next(n);
  if (a >= last) return -1;
  const b = tape.next(a);
  if (b >= last || tape.next(b) !== last) return -1;
  let amount: number;
  let currency: number;
  if (tape.keyIs(a, AMOUNT) && tape.keyIs(b, CURRENCY_CODE)) {
    amount = a;
    currency = b;
  } else if (tape.keyIs(b, AMOUNT) && tape.keyIs(a, CURRENCY_CODE)) {
    amount = b;
    currency = a;
  } else {
    return -1;
  }
  return isDecimalNode(tape, amount) && isStringNode(tape.type(currency)) ? amount : -1;
}

/** The currency member of a money object whose amount moneyAmount found. */
export function moneyCurrency(tape: Tape, n: number, amount: number): number {
  const a = tape.first(n);
  return amount === a ? tape.next(a) : a;
}

/**
 * The JSON string at `at` (its opening quote) as a timestamp in epoch milliseconds when it is
 * `"YYYY-MM-DDTHH:MM:SS[.f…]Z"` with a year from 100 (as Shopify writes them, and the rows), as
 * Date.parse reads it (digits past the milliseconds dropped), without making a string of it; NaN for
 * any other text, which the caller gives Date.parse.
 */
export function timestampMs(line: Uint8Array, at: number): number {
  if (line[at] !== 0x22 || line[at + 5] !== 0x2d || line[at + 8] !== 0x2d || line[at + 11] !== 0x54 || line[at + 14] !== 0x3a || line[at + 17] !== 0x3a) return NaN;
  const century = twoDigits(line, at + 1);
  const yy = twoDigits(line, at + 3);
  const year = century * 100 + yy;
  const month = twoDigits(line, at + 6);
  const day = twoDigits(line, at + 9);
  const hour = twoDigits(line, at + 12);
  const minute = twoDigits(line, at + 15);
  const second = twoDigits(line, at + 18);
  let i = at + 20;
  let ms = 0;
  if (line[i] === 0x2e) {
    let places = 0;
    for (i++; line[i]! >= 0x30 && line[i]! <= 0x39; i++) if (++places <= 3) ms = ms * 10 + line[i]! - 0x30;
    if (places === 0) return NaN;
    for (; places < 3; places++) ms *= 10;
  }
  // twoDigits gives -1 for anything but two digits: each field's lower bound refuses it.
  if (line[i] !== 0x5a || line[i + 1] !== 0x22 || !(century >= 1 && yy >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) return NaN;
  // Date.UTC, like Date.parse, counts a day past the month's end into the next month.
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}
