import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { isal } from 'isal-deflate';
import { CRC32_POLY, CRC32C_POLY, crc32c, crc32cBase64, crc32cTables, crcCombine } from '../../src/io/crc.ts';
import { encodeSegment, GZIP_HEADER, gzipEnd, gzipEngine, PartChecksums } from '../../src/pipeline/segment.ts';

/** CRC-32C bit by bit: an independent check. */
function slowCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc', () => {
  // crc32c is ISA-L's where its binding is built, else crc32cTables: both are checked wherever they can run.
  for (const [name, crc] of [['crc32c', crc32c], ['crc32cTables', crc32cTables]] as const) it(`${name} computes CRC-32C (the check value of "123456789" is e3069283) at any length and alignment`, () => {
    expect(crc(Buffer.from('123456789')).toString(16)).to.equal('e3069283');
    const data = randomBytes(1000);
    for (const [a, b] of [[0, 1000], [3, 17], [5, 5], [1, 999]] as const) expect(crc(data.subarray(a, b))).to.equal(slowCrc32c(data.subarray(a, b)));
    // Every length around the 16-byte blocks, at every offset of a word, and continued from a CRC so far.
    for (let offset = 0; offset < 4; offset++) {
      for (let length = 0; length <= 70; length++) {
        const piece = data.subarray(offset, offset + length);
        expect(crc(piece), `${length} bytes at ${offset}`).to.equal(slowCrc32c(piece));
        expect(crc(data.subarray(offset + length, offset + 2 * length + 5), crc(piece)), `continued after ${length} bytes`).to.equal(slowCrc32c(data.subarray(offset, offset + 2 * length + 5)));
      }
    }
    expect(crc32cBase64(0xe3069283)).to.equal(Buffer.from('e3069283', 'hex').toString('base64'));
  });

  it('combines the CRCs of two pieces into the CRC of both, for CRC-32 and CRC-32C', () => {
    const data = randomBytes(5000);
    for (const cut of [0, 1, 2500, 4999, 5000]) {
      const [a, b] = [data.subarray(0, cut), data.subarray(cut)];
      expect(crcCombine(CRC32_POLY, crc32(a), crc32(b), b.length)).to.equal(crc32(data));
      expect(crcCombine(CRC32C_POLY, crc32c(a), crc32c(b), b.length)).to.equal(crc32c(data));
    }
    const big = randomBytes(3_000_001);
    const [a, b] = [big.subarray(0, 1_234_567), big.subarray(1_234_567)];
    expect(crcCombine(CRC32_POLY, crc32(a), crc32(b), b.length)).to.equal(crc32(big));
    expect(crcCombine(CRC32C_POLY, crc32c(a), crc32c(b), b.length)).to.equal(crc32c(big));
  });
});

describe('segments', () => {
  it('are compressed by ISA-L at level 1 wherever its headers were installed (the binding is then built), by node:zlib otherwise and at other levels', () => {
    // install.js builds the binding exactly when it finds this header; CI installs libisal-dev (.ci/run).
    const headers = existsSync('/usr/include/isa-l/igzip_lib.h') || existsSync('/usr/local/include/isa-l/igzip_lib.h');
    if (headers) {
      expect(isal, 'the binding is built and loads').to.not.equal(null);
      expect(gzipEngine(1)).to.deep.equal({ engine: 'ISA-L level 1', fallback: null });
      // Too little room is said, not half-written; what is not a typed array is refused.
      const sums = new Uint32Array(2);
      expect(isal!.segment(randomBytes(10_000), new Uint8Array(100), sums)).to.equal(-1);
      expect(() => isal!.segment('text' as unknown as Uint8Array, new Uint8Array(100), sums)).to.throw(/segment\(raw: Uint8Array/);
    } else {
      expect(gzipEngine(1).engine).to.equal('node:zlib level 1');
      expect(gzipEngine(1).fallback).to.match(/libisal-dev/);
    }
    expect(gzipEngine(6)).to.deep.equal({ engine: 'node:zlib level 6', fallback: null });
  });

  it('concatenate into one gzip member that any reader inflates to the rows in order, with matching checksums', () => {
    const texts = ['{"a":1}\n', 'x'.repeat(100_000) + '\n', '', '{"é":"ü"}\n'];
    const sums = new PartChecksums();
    const pieces: Uint8Array[] = [GZIP_HEADER];
    for (const [i, t] of texts.entries()) {
      const seg = encodeSegment(Buffer.from(t), 1, i % 2 === 0 ? 1 : 9);
      pieces.push(seg.bytes);
      sums.add(seg);
    }
    const end = gzipEnd(sums.textCrc32, sums.textBytes);
    pieces.push(end);
    sums.addEnd(end);
    const file = Buffer.concat(pieces);
    expect(gunzipSync(file).toString('utf8')).to.equal(texts.join(''));
    expect(sums.fileBytes).to.equal(file.length);
    expect(sums.fileCrc32c).to.equal(slowCrc32c(file));
  });

  it('each inflate on its own, though one stream per thread deflates them all: no history carried over, incompressible ones included', () => {
    // Random bytes come out larger than they went in (stored blocks), past the first guess of room.
    const texts = [randomBytes(300_000), Buffer.from('{"a":"abc"}\n'.repeat(5000)), randomBytes(3), Buffer.from('{"a":"abc"}\n'), randomBytes(70_000)];
    for (const [i, t] of texts.entries()) {
      const seg = encodeSegment(t, 1, 1);
      expect(inflateRawSync(seg.bytes, { finishFlush: 2 }), `segment ${i}`).to.deep.equal(t);
      expect(seg.crc32c).to.equal(slowCrc32c(seg.bytes));
      expect(seg.textCrc32).to.equal(crc32(t));
      expect(seg.bytes.byteOffset === 0 && seg.bytes.buffer.byteLength === seg.bytes.length, 'alone on its ArrayBuffer (moved, not copied, to the main thread)').to.equal(true);
    }
  });
});
