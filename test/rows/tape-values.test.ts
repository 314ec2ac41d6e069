// The byte path reads GIDs and decimals from bytes with code of its own; it must agree with the regular
// expressions the general path uses (fields.ts) on every string, whether its slashes are
// escaped or not. Checked on edge cases and on seeded random strings made of the characters that matter.
import { expect } from 'chai';
import { gidNumber, isDecimalString } from '../../src/rows/fields.ts';
import { Tape } from '../../src/rows/tape.ts';
import type { ByteRows } from '../../src/rows/types.ts';
import { isDecimalNode, putGidNumber } from '../../src/rows/tape-values.ts';

/** A ByteRows over a plain growing buffer. */
function rows(): ByteRows & { text(): string } {
  const buf = Buffer.alloc(16);
  return {
    buf,
    view: new DataView(buf.buffer, buf.byteOffset, buf.length),
    length: 0,
    reserve(bytes) {
      if (this.length + bytes <= this.buf.length) return;
      const grown = Buffer.alloc((this.length + bytes) * 2);
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
      this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
    },
    text() {
      return this.buf.toString('utf8', 0, this.length);
    },
  };
}

/** The string `value` as the only value of a line, written as JSON.stringify does or with every slash escaped; its node. */
function stringNode(value: string, escapeSlashes: boolean): { tape: Tape; node: number } | null {
  let json = JSON.stringify({ v: value });
  if (escapeSlashes) json = json.replaceAll('/', '\\/');
  const tape = new Tape();
  const bytes = Buffer.from(json);
  return tape.scan(bytes, 0, bytes.length) === bytes.length ? { tape, node: 1 } : null;
}

/** A seeded generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strings(prefixes: readonly string[], alphabet: string, count: number, seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    let s = prefixes[Math.floor(next() * prefixes.length)]!;
    const length = Math.floor(next() * 14);
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  });
}

describe('tape values', () => {
  it('reads a GID\'s number as gidNumber does, slashes escaped or not', () => {
    const edge = [
      'gid://shopify/Order/1', 'gid://shopify/Order/', 'gid://shopify//1', 'gid://shopify/1a/2', 'gid://shopify/a1/2', 'gid://shopify/Order/12?x=1',
      'gid://shopify/Order/12?x\n', 'gid://shopify/Order/12?x\u2028', 'gid://shopify/Order/12x', 'gid://shopify/Order', 'gid://shopify/Order/12?',
      'xgid://shopify/Order/1', 'gid://shopify/Ord_er/1', 'gid://shopify/Order/1/2', 'gid://shopify/@/1', 'gid://shopify/`/1', 'gid://shopify/{/1',
      'gid://shopify/[/1', 'gid://shopify/Order/007', 'gid://shopify/Order/1é', 'gid://shopify/Ordér/1', 'gid:/shopify/Order/1', '',
    ];
    const fuzz = [
      ...strings(['gid://shopify/', 'gid://shopify/Order/', 'gid:/'], 'gid:/shopfyOrdeLI0123456789?\n"\\_aZ`@[{é', 3000, 7),
      ...strings(['gid://shopify/Order/', 'gid://shopify/LineItem/'], '0123456789012345678901234567890123456789?/x', 500, 13),
    ];
    let numbers = 0;
    for (const value of [...edge, ...fuzz]) {
      for (const escaped of [false, true]) {
        const at = stringNode(value, escaped)!;
        const out = rows();
        const wrote = putGidNumber(out, at.tape, at.node);
        const expected = gidNumber(value);
        expect(wrote ? JSON.parse(out.text()) : undefined, JSON.stringify(value)).to.equal(expected);
        if (expected !== undefined) numbers++;
      }
    }
    expect(numbers).to.be.greaterThan(100);
  });

  it('checks a decimal as isDecimalString does', () => {
    const edge = ['1', '1.0', '-1.5', '1.', '.5', '-', '', '01.10', '1e5', '1.2.3', ' 1', '1 ', '+1', '-0', '١'];
    const fuzz = strings(['', '-', '1'], '0123456789.-e+ ', 3000, 11);
    let decimals = 0;
    for (const value of [...edge, ...fuzz]) {
      const at = stringNode(value, false)!;
      expect(isDecimalNode(at.tape, at.node), JSON.stringify(value)).to.equal(isDecimalString(value));
      if (isDecimalString(value)) decimals++;
    }
    expect(decimals).to.be.greaterThan(100);
  });
});
