import { expect } from 'chai';
import { lineBatches, type BatchSizes } from '../../src/pipeline/batches.ts';

/** The bytes in chunks ending at `cuts`, all read into one buffer, as the download reads its socket (src/shopify/http-get.ts). */
async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  const memory = new Uint8Array(bytes.length);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    memory.fill(0x7e);
    memory.set(bytes.subarray(at, cut));
    yield memory.subarray(0, cut - at);
    at = cut;
  }
}

async function batches(bytes: Buffer, cuts: number[], sizes: BatchSizes): Promise<string[]> {
  const out: Buffer[] = [];
  for await (const b of lineBatches(chunked(bytes, cuts), sizes)) {
    expect(b.byteOffset, 'at the start of its memory').to.equal(0);
    expect(out.every((o) => o.buffer !== b.buffer), 'memory of its own').to.equal(true);
    out.push(b);
  }
  // Read once all are made: no batch shares memory with the source or with another.
  return out.map((b) => b.toString('utf8'));
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

  it('grows a batch for a line longer than its room', async () => {
    const long = `{"note":"${'n'.repeat(200_000)}"}`;
    const lines = Buffer.from(['{"a":1}', long, '{"b":2}', ''].join('\n'));
    const cuts = Array.from({ length: 25 }, (_, i) => (i + 1) * 7_001);
    expect(await batches(lines, cuts, { first: 4, max: 8 })).to.deep.equal(['{"a":1}\n', `${long}\n`, '{"b":2}\n']);
  });

  it('makes no batch from an empty stream', async () => {
    expect(await batches(Buffer.alloc(0), [], { first: 4, max: 4 })).to.deep.equal([]);
  });
});
