import { expect } from 'chai';
import { lineBatches, type BatchSizes } from '../../src/pipeline/batches.ts';

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield new Uint8Array(bytes.subarray(at, cut));
    at = cut;
  }
}

async function batches(bytes: Buffer, cuts: number[], sizes: BatchSizes): Promise<string[]> {
  const out: string[] = [];
  for await (const b of lineBatches(chunked(bytes, cuts), sizes)) {
    expect(b.byteOffset === 0 && b.byteLength === b.buffer.byteLength, 'alone on its memory').to.equal(true);
    out.push(b.toString('utf8'));
  }
  return out;
}

describe('lineBatches', () => {
  const text = Buffer.from(['{"a":"é"}', '', '{"b":"ünïcödé"}', '{"c":3}', '{"d":"😀"}'].join('\n') + '\n{"last":true}');

  it('cuts whole lines only, at the same places whatever the chunking, and keeps every byte', async () => {
    const sizes = { first: 8, max: 20 };
    const expected = await batches(text, [], sizes);
    expect(expected.join('')).to.equal(text.toString('utf8'));
    for (const b of expected.slice(0, -1)) expect(b.endsWith('\n')).to.equal(true);
    expect(expected.at(-1)).to.equal('{"last":true}'); // no final newline: still a batch
    for (const cuts of [[1, 2, 3, 4, 5, 6, 7], [11, 12], Array.from({ length: text.length - 1 }, (_, i) => i + 1)]) {
      expect(await batches(text, cuts, sizes)).to.deep.equal(expected);
    }
  });

  it('grows batches from the first size to the largest', async () => {
    const lines = Buffer.from(Array.from({ length: 200 }, () => 'x'.repeat(9)).join('\n') + '\n');
    const sizes = (await batches(lines, [], { first: 10, max: 80 })).map((b) => b.length);
    expect(sizes.slice(0, 5)).to.deep.equal([10, 20, 40, 80, 80]);
  });

  it('makes no batch from an empty stream', async () => {
    expect(await batches(Buffer.alloc(0), [], { first: 4, max: 4 })).to.deep.equal([]);
  });
});
