import { expect } from 'chai';
import { splitLines } from '../../src/pipeline/lines.ts';

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
}

async function collect(bytes: Buffer, cuts: number[] = []): Promise<Array<[number, string]>> {
  const lines = splitLines(chunked(bytes, cuts));
  const out: Array<[number, string]> = [];
  for await (const line of lines) out.push([lines.lineNumber, line]);
  return out;
}

describe('splitLines', () => {
  const text = '{"a":"é"}\n{"b":"日本語"}\n{"c":"🍁 maple"}\n';
  const bytes = Buffer.from(text);
  const expected: Array<[number, string]> = [[1, '{"a":"é"}'], [2, '{"b":"日本語"}'], [3, '{"c":"🍁 maple"}']];

  it('gives the same lines wherever the chunks are cut, even inside a multi-byte character', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) expect(await collect(bytes, [cut]), `cut at ${cut}`).to.deep.equal(expected);
    for (let a = 1; a < bytes.length; a++) for (let b = a; b < bytes.length; b++) expect(await collect(bytes, [a, b]), `cuts at ${a}, ${b}`).to.deep.equal(expected);
  });

  it('handles one byte per chunk', async () => {
    expect(await collect(bytes, [...bytes.keys()].slice(1))).to.deep.equal(expected);
  });

  it('strips CRLF line ends, even when the CR and LF are in different chunks', async () => {
    const crlf = Buffer.from('{"a":1}\r\n{"b":2}\r\n');
    expect(await collect(crlf)).to.deep.equal([[1, '{"a":1}'], [2, '{"b":2}']]);
    expect(await collect(crlf, [8])).to.deep.equal([[1, '{"a":1}'], [2, '{"b":2}']]);
  });

  it('keeps a last line without a final newline', async () => {
    expect(await collect(Buffer.from('{"a":1}\n{"b":"ü"}'), [15])).to.deep.equal([[1, '{"a":1}'], [2, '{"b":"ü"}']]);
  });

  it('skips empty lines but counts them in line numbers', async () => {
    expect(await collect(Buffer.from('\n{"a":1}\n\n\r\n{"b":2}\n\n'))).to.deep.equal([[2, '{"a":1}'], [5, '{"b":2}']]);
    expect(await collect(Buffer.alloc(0))).to.deep.equal([]);
  });

  it('joins a line spread over many chunks', async () => {
    const long = `{"v":"${'x'.repeat(100_000)}"}`;
    const data = Buffer.from(`${long}\n{"short":1}\n`);
    const cuts = Array.from({ length: 99 }, (_, i) => (i + 1) * 1000);
    expect(await collect(data, cuts)).to.deep.equal([[1, long], [2, '{"short":1}']]);
  });

  it('accepts plain Uint8Array chunks (web streams)', async () => {
    async function* web(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(Buffer.from('{"a":1}\n{"b"'));
      yield new Uint8Array(Buffer.from(':2}\n'));
    }
    const out: string[] = [];
    for await (const l of splitLines(web())) out.push(l);
    expect(out).to.deep.equal(['{"a":1}', '{"b":2}']);
  });

  it('releases the source when the consumer stops early', async () => {
    let released = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('{"a":1}\n{"b":2}\n');
        yield Buffer.from('{"c":3}\n');
      } finally {
        released = true;
      }
    }
    for await (const line of splitLines(source())) {
      expect(line).to.equal('{"a":1}');
      break;
    }
    expect(released).to.equal(true);
  });
});
