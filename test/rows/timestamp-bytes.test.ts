// The byte path's timestamp check (isTimestampNode, on a string's bytes) accepts exactly the strings
// the general path's pattern does (isTimestampString): every valid form, and each of them with any one
// character changed, dropped or added.
import { expect } from 'chai';
import { isTimestampString } from '../../src/rows/fields.ts';
import { Tape } from '../../src/rows/tape.ts';
import { isTimestampNode } from '../../src/rows/tape-values.ts';

const VALID = ['2025-12-02T13:14:28Z', '2024-02-29T23:59:59.123456Z', '1999-01-31T00:00:00+05:30', '2026-10-10T10:10:10.5-23:59', '0000-12-01T09:05:07-00:00'];
// Each a character class of the pattern or next to one of its bounds.
const CHARS = ['0', '1', '2', '3', '4', '5', '6', '9', ':', '-', '+', '.', 'T', 't', 'Z', 'z', ' ', 'x', 'é', '٣'];

function candidates(): string[] {
  const out = new Set<string>(VALID);
  for (const v of VALID) {
    for (let i = 0; i <= v.length; i++) {
      if (i < v.length) out.add(v.slice(0, i) + v.slice(i + 1));
      for (const c of CHARS) {
        if (i < v.length) out.add(v.slice(0, i) + c + v.slice(i + 1));
        out.add(v.slice(0, i) + c + v.slice(i));
      }
    }
  }
  return [...out];
}

describe('the byte path\'s timestamp check', () => {
  it('accepts exactly what the general path\'s pattern accepts', () => {
    const tape = new Tape();
    const all = candidates();
    let accepted = 0;
    for (const s of all) {
      const line = Buffer.from(`{"t":${JSON.stringify(s)}}`);
      expect(tape.scan(line, 0, line.length), s).to.equal(line.length);
      const byBytes = isTimestampNode(tape, 1);
      expect(byBytes, s).to.equal(isTimestampString(s));
      if (byBytes) accepted++;
    }
    // Both sides of the rule are exercised, not just the refusals.
    expect(accepted).to.be.greaterThan(VALID.length * 10);
    expect(all.length - accepted).to.be.greaterThan(1000);
  });
});
