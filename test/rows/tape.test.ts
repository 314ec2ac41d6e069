// The byte path's scanner: what it accepts it must describe exactly (each value's type and bytes), and
// anything outside the subset it handles it must refuse, for JSON.parse to judge. The differential
// checks against JSON.parse are in byte-path.test.ts; these pin the scanner's own contract.
import { expect } from 'chai';
import { ARRAY, ESCAPED_STRING, FALSE, INTEGER, NULL, NUMBER, OBJECT, STRING, TRUE, Tape } from '../../src/rows/tape.ts';
import { constant } from '../../src/rows/tape-values.ts';

/** Scans `line` as it sits in a batch: between other lines, so reading past its end would show. */
function scan(line: string): Tape | null {
  const before = '{"before":1}\n';
  const bytes = Buffer.from(`${before}${line}\n{"after":"x"}`);
  const tape = new Tape();
  const start = Buffer.byteLength(before);
  return tape.scan(bytes, start, start + Buffer.byteLength(line)) === start + Buffer.byteLength(line) ? tape : null;
}

const text = (tape: Tape, node: number): string => tape.bytes.toString('utf8', tape.start(node), tape.end(node));

describe('tape', () => {
  it('stops at the end of the line\'s object, whatever follows in the batch, and never scans past a newline', () => {
    const tape = new Tape();
    const at = (text: string): number => tape.scan(Buffer.from(text), 0, Buffer.byteLength(text));
    expect(at('{"a":"x"}\n{"b":1}')).to.equal(9);
    expect(at('{"a":"x"}\r\n{"b":1}')).to.equal(9);
    expect(at('{"a":1}')).to.equal(7);
    expect(at('{"a":"x\n"}')).to.equal(-1);
    expect(at('{"a":\n1}')).to.equal(-1);
    expect(at('{"a":1\n}')).to.equal(-1);
    expect(at('{"a":tru\ne}')).to.equal(-1);
    expect(at(' {"a":1}')).to.equal(-1);
  });

  it('describes a line as Shopify writes it: each member with its type, its bytes and its key', () => {
    const line = '{"id":"gid:\\/\\/shopify\\/Order\\/1","n":12,"rate":0.5,"e":-1e3,"t":true,"f":false,"z":null,"tags":["a","é"],"m":{"amount":"1.0"},"__parentId":"p"}';
    const tape = scan(line)!;
    expect(tape).to.not.equal(null);
    expect(tape.type(0)).to.equal(OBJECT);
    const members: Array<[string, number, string]> = [];
    for (let m = tape.first(0); m < tape.next(0); m = tape.next(m)) {
      const key = ['id', 'n', 'rate', 'e', 't', 'f', 'z', 'tags', 'm', '__parentId'].find((k) => tape.keyIs(m, constant(k)))!;
      members.push([key, tape.type(m), text(tape, m)]);
    }
    expect(members).to.deep.equal([
      ['id', ESCAPED_STRING, '"gid:\\/\\/shopify\\/Order\\/1"'],
      ['n', INTEGER, '12'],
      ['rate', NUMBER, '0.5'],
      ['e', NUMBER, '-1e3'],
      ['t', TRUE, 'true'],
      ['f', FALSE, 'false'],
      ['z', NULL, 'null'],
      ['tags', ARRAY, '["a","é"]'],
      ['m', OBJECT, '{"amount":"1.0"}'],
      ['__parentId', STRING, '"p"'],
    ]);
    const tags = tape.member(0, constant('tags'));
    const first = tape.first(tags);
    expect([tape.type(first), text(tape, first), text(tape, tape.next(first))]).to.deep.equal([STRING, '"a"', '"é"']);
    expect(tape.member(0, constant('missing'))).to.equal(-1);
    expect(scan('{}')!.next(0)).to.equal(1);
  });

  it('refuses what it does not handle, and never reads past the line', () => {
    const refused = [
      '', '[]', '"x"', '{', '{"a":1', '{"a":1}x', '{"a":1} ', ' {"a":1}', '{"a" :1}', '{"a": 1}', '{"a":1 }', '{"a":1,}',
      '{"a":"\\u0041"}', '{"\\n":1}', '{"a":"x\ty"}', '{"a":"\\x"}', '{"a":01}', '{"a":-}', '{"a":1.}', '{"a":.5}', '{"a":1e}',
      '{"a":tru}', '{"a":nul', '{"a":[1,]}', '{"a":[1 ]}', '{a:1}', `{"a":${'['.repeat(40)}${']'.repeat(40)}}`,
    ];
    for (const line of refused) expect(scan(line), line).to.equal(null);
    // Each of these is valid JSON that JSON.parse reads alike; the scanner accepts them.
    for (const line of ['{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t"}', '{"a":-0}', '{"a":0.25E+2}', '{"a":[[],{}]}', `{"a":${'['.repeat(30)}${']'.repeat(30)}}`]) {
      expect(scan(line), line).to.not.equal(null);
      expect(() => JSON.parse(line)).to.not.throw();
    }
  });
});
