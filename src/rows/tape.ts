// A strict JSON scanner for one JSONL line held as UTF-8 bytes. It records where each value is (a
// "tape", as simdjson calls it) and creates no JS objects or strings, so the byte path (bytes.ts)
// can copy values straight from the line into a row. It accepts only a subset of JSON, the one Shopify
// writes: no whitespace, no \u escapes, no key with an escape, nesting at most MAX_DEPTH deep. Anything
// else is refused (parse() returns false) and the line takes JSON.parse, which accepts or rejects it
// with its own message; so this scanner never has to be right about a line it refuses, only about the
// ones it accepts. The caller checks that the bytes are valid UTF-8.

import type { Constant } from './tape-values.ts';

export const OBJECT = 1;
export const ARRAY = 2;
/** A string without escapes. */
export const STRING = 3;
/** A string with escapes among \" \\ \/ \b \f \n \r \t. */
export const ESCAPED_STRING = 4;
/** A number without fraction or exponent. */
export const INTEGER = 5;
/** A number with a fraction or an exponent. */
export const NUMBER = 6;
export const TRUE = 7;
export const FALSE = 8;
export const NULL = 9;

// Per node, six ints: type, start, end (the value's JSON text, quotes included), the index of the node
// after its subtree (its next sibling), and its key's bytes (quotes excluded) when it is an object member.
const TYPE = 0;
const START = 1;
const END = 2;
const NEXT = 3;
const KEY_START = 4;
const KEY_END = 5;
const WIDTH = 6;

const MAX_DEPTH = 32;
const MAX_KEPT_NODES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
// The escapes JSON.stringify writes back unchanged, plus \/ (which it writes as /).
const isSimpleEscape = (c: number): boolean => c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;

export class Tape {
  /** The line's bytes (the whole batch; the line is [start, end) of it). */
  bytes: Buffer = Buffer.alloc(0);
  /** The same bytes as a DataView, to copy values four bytes at a time (tape-values.ts). */
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 0);
  #nodes = new Int32Array(WIDTH * 512);
  #count = 0;
  #end = 0;

  /**
   * Scans the JSON object at bytes[start], within bytes[start, limit), and returns where it ends; -1 when
   * there is none, or not of the accepted subset. Node 0 is the object. The scan never passes a line's
   * end: a newline is neither inside a string it accepts (a control character) nor between values.
   */
  scan(bytes: Buffer, start: number, limit: number): number {
    // A line of megabytes grows the tape; the next line gives that memory back.
    if (this.#nodes.length > WIDTH * MAX_KEPT_NODES) this.#nodes = new Int32Array(WIDTH * 512);
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    this.#count = 0;
    this.#end = limit;
    return bytes[start] === 0x7b ? this.#value(start, 0) : -1;
  }

  type(node: number): number {
    return this.#nodes[node * WIDTH + TYPE]!;
  }

  start(node: number): number {
    return this.#nodes[node * WIDTH + START]!;
  }

  end(node: number): number {
    return this.#nodes[node * WIDTH + END]!;
  }

  /** The node after this one's subtree: its next sibling, or the end of its parent's children. */
  next(node: number): number {
    return this.#nodes[node * WIDTH + NEXT]!;
  }

  /** The first child of an object or array, or its next() when it has none. */
  first(node: number): number {
    return node + 1;
  }

  /**
   * Whether an object member's key is exactly `key`, compared four bytes at a time: every key of every
   * line is compared so (bytes.ts resolves a line's members by key). The last word is masked to the
   * key's length; the bytes it reads past the key are still the line's, which has at least `":` and a
   * value after any key it accepted.
   */
  keyIs(node: number, key: Constant): boolean {
    const at = this.#nodes[node * WIDTH + KEY_START]!;
    const length = key.length;
    if (this.#nodes[node * WIDTH + KEY_END]! - at !== length) return false;
    if (length === 0) return true;
    const words = key.words;
    const view = this.view;
    const last = words.length - 1;
    for (let i = 0; i < last; i++) if (view.getInt32(at + 4 * i, true) !== words[i]) return false;
    const tail = length - 4 * last;
    return (view.getInt32(at + 4 * last, true) & (tail === 4 ? -1 : (1 << (8 * tail)) - 1)) === words[last];
  }

  /** Whether a node's JSON text is exactly `text` (ASCII bytes, quotes included for a string). */
  bytesAre(node: number, text: Uint8Array): boolean {
    const at = this.start(node);
    if (this.end(node) - at !== text.length) return false;
    const b = this.bytes;
    for (let i = 0; i < text.length; i++) if (b[at + i] !== text[i]) return false;
    return true;
  }

  /** The member of object `node` whose key is `key`, or -1. */
  member(node: number, key: Constant): number {
    for (let m = node + 1, last = this.next(node); m < last; m = this.next(m)) if (this.keyIs(m, key)) return m;
    return -1;
  }

  #push(type: number, start: number): number {
    const node = this.#count++;
    if (this.#count * WIDTH > this.#nodes.length) {
      const grown = new Int32Array(this.#nodes.length * 2);
      grown.set(this.#nodes);
      this.#nodes = grown;
    }
    const at = node * WIDTH;
    this.#nodes[at + TYPE] = type;
    this.#nodes[at + START] = start;
    this.#nodes[at + KEY_START] = -1;
    this.#nodes[at + KEY_END] = -1;
    return node;
  }

  #close(node: number, end: number): number {
    this.#nodes[node * WIDTH + END] = end;
    this.#nodes[node * WIDTH + NEXT] = this.#count;
    return end;
  }

  /**
   * The first position from `p` on, before the line's end, of a quote, a backslash or a control
   * character (a string's or key's special bytes), or the line's end. Four bytes at a time (SWAR: each
   * test sets a byte's top bit when the byte is the one sought, exactly for the lowest such byte): most
   * of a line's bytes are inside strings and keys, and a byte at a time was a fifth of the scan's time.
   */
  #plainRun(p: number): number {
    const view = this.view;
    const last = this.#end - 4;
    while (p <= last) {
      const v = view.getInt32(p, true);
      const quote = v ^ 0x22222222;
      const backslash = v ^ 0x5c5c5c5c;
      const found = (((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((v - 0x20202020) & ~v)) & 0x80808080;
      if (found !== 0) return p + ((31 - Math.clz32(found & -found)) >> 3);
      p += 4;
    }
    const b = this.bytes;
    const end = this.#end;
    for (; p < end; p++) {
      const c = b[p]!;
      if (c === QUOTE || c === BACKSLASH || c < 0x20) return p;
    }
    return end;
  }

  /** Scans the value at `pos`; returns the position after it, or -1. */
  #value(pos: number, depth: number): number {
    const b = this.bytes;
    const c = b[pos];
    if (c === QUOTE) return this.#string(pos);
    if (c === 0x7b) return this.#object(pos, depth);
    if (c === 0x5b) return this.#array(pos, depth);
    if (c === MINUS || (c !== undefined && isDigit(c))) return this.#number(pos);
    if (c === 0x74) return this.#literal(pos, TRUE, 'true');
    if (c === 0x66) return this.#literal(pos, FALSE, 'false');
    if (c === 0x6e) return this.#literal(pos, NULL, 'null');
    return -1;
  }

  #object(pos: number, depth: number): number {
    if (depth >= MAX_DEPTH) return -1;
    const b = this.bytes;
    const end = this.#end;
    const node = this.#push(OBJECT, pos);
    pos++;
    if (b[pos] === 0x7d) return this.#close(node, pos + 1);
    for (;;) {
      if (b[pos] !== QUOTE) return -1;
      const keyStart = pos + 1;
      const p = this.#plainRun(keyStart);
      if (p >= end || b[p] !== QUOTE) return -1;
      if (b[p + 1] !== COLON) return -1;
      const child = this.#count;
      pos = this.#value(p + 2, depth + 1);
      if (pos === -1) return -1;
      this.#nodes[child * WIDTH + KEY_START] = keyStart;
      this.#nodes[child * WIDTH + KEY_END] = p;
      const c = b[pos];
      if (c === COMMA) pos++;
      else if (c === 0x7d) return this.#close(node, pos + 1);
      else return -1;
    }
  }

  #array(pos: number, depth: number): number {
    if (depth >= MAX_DEPTH) return -1;
    const b = this.bytes;
    const node = this.#push(ARRAY, pos);
    pos++;
    if (b[pos] === 0x5d) return this.#close(node, pos + 1);
    for (;;) {
      pos = this.#value(pos, depth + 1);
      if (pos === -1) return -1;
      const c = b[pos];
      if (c === COMMA) pos++;
      else if (c === 0x5d) return this.#close(node, pos + 1);
      else return -1;
    }
  }

  #string(pos: number): number {
    const b = this.bytes;
    const end = this.#end;
    let type = STRING;
    let p = pos + 1;
    for (;;) {
      p = this.#plainRun(p);
      if (p >= end) return -1;
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c !== BACKSLASH || p + 1 >= end || !isSimpleEscape(b[p + 1]!)) return -1;
      type = ESCAPED_STRING;
      p += 2;
    }
    const node = this.#push(type, pos);
    return this.#close(node, p + 1);
  }

  #number(pos: number): number {
    const b = this.bytes;
    let p = pos;
    let type = INTEGER;
    if (b[p] === MINUS) p++;
    if (b[p] === ZERO) p++;
    else if (p < this.#end && isDigit(b[p]!)) while (p < this.#end && isDigit(b[p]!)) p++;
    else return -1;
    if (b[p] === DOT) {
      type = NUMBER;
      p++;
      if (!(p < this.#end && isDigit(b[p]!))) return -1;
      while (p < this.#end && isDigit(b[p]!)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      type = NUMBER;
      p++;
      if (b[p] === 0x2b || b[p] === MINUS) p++;
      if (!(p < this.#end && isDigit(b[p]!))) return -1;
      while (p < this.#end && isDigit(b[p]!)) p++;
    }
    const node = this.#push(type, pos);
    return this.#close(node, Math.min(p, this.#end));
  }

  #literal(pos: number, type: number, word: string): number {
    const b = this.bytes;
    if (pos + word.length > this.#end) return -1;
    for (let i = 1; i < word.length; i++) if (b[pos + i] !== word.charCodeAt(i)) return -1;
    const node = this.#push(type, pos);
    return this.#close(node, pos + word.length);
  }
}
