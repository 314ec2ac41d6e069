// A part file is one gzip member assembled from segments compressed independently, the way pigz
// parallelises gzip: each segment is raw deflate ended with a sync flush (byte-aligned, not final), so
// segments concatenate into one valid deflate stream; the file is a gzip header, the segments, an
// empty final block, and a trailer whose CRC-32 is combined from the segments' own. Any gzip reader
// (BigQuery, gunzip, zlib) sees an ordinary single-member file. Workers compress segments in parallel;
// the main thread only appends bytes and combines checksums.
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { CRC32_POLY, CRC32C_POLY, crc32c, crcCombine } from '../io/crc.ts';
import type { PageSet } from '../parquet/encode.ts';

/** One table's rows from one batch: NDJSON text, deflated; or with `pages`, its Parquet pages (src/parquet/segment.ts). */
export interface Segment {
  bytes: Uint8Array;
  rows: number;
  /** Uncompressed length (what a part's size counts) and, for gzip, its CRC-32 (for the gzip trailer). */
  textBytes: number;
  textCrc32: number;
  /** CRC-32C of `bytes` (for a gzip part's GCS checksum; a Parquet part sums its own bytes as written). */
  crc32c: number;
  /** Where each leaf column's page lies in `bytes`: the segment is Parquet pages, not deflated NDJSON. */
  pages?: PageSet;
  /** The rows' ids, for a table whose ids the deletions stage keeps (Entity.deletes). */
  ids?: Float64Array;
  /** What the quality checks read from the rows, for a table they read (sums.ts). */
  sums?: Float64Array;
}

// ID1 ID2, CM=deflate, no flags, no mtime (so equal input makes equal files), XFL 0, OS unknown.
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
// An empty final block with fixed Huffman codes: ends the deflate stream the segments left open.
const FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

export function encodeSegment(raw: Uint8Array, rows: number, level: number): Segment {
  // zlib's default 16 KiB output chunks: larger ones are fresh off-heap memory for every table of every
  // batch, enough to make V8 run memory-reducing collections that shrink the worker's young generation.
  const bytes = exclusive(deflateRawSync(raw, { level, finishFlush: constants.Z_SYNC_FLUSH }));
  return { bytes, rows, textBytes: raw.length, textCrc32: crc32(raw), crc32c: crc32c(bytes) };
}

/** What follows the last segment: the final block and the trailer (CRC-32, length mod 2^32, little-endian). */
export function gzipEnd(textCrc32: number, textBytes: number): Uint8Array {
  const end = Buffer.alloc(FINAL_BLOCK.length + 8);
  end.set(FINAL_BLOCK, 0);
  end.writeUInt32LE(textCrc32 >>> 0, 2);
  end.writeUInt32LE(textBytes % 2 ** 32, 6);
  return end;
}

/** Running checksums of a part as segments are appended. */
export class PartChecksums {
  textCrc32 = 0;
  textBytes = 0;
  fileCrc32c = crc32c(GZIP_HEADER);
  fileBytes = GZIP_HEADER.length;

  add(segment: Segment): void {
    this.textCrc32 = crcCombine(CRC32_POLY, this.textCrc32, segment.textCrc32, segment.textBytes);
    this.textBytes += segment.textBytes;
    this.fileCrc32c = crcCombine(CRC32C_POLY, this.fileCrc32c, segment.crc32c, segment.bytes.length);
    this.fileBytes += segment.bytes.length;
  }

  addEnd(end: Uint8Array): void {
    this.fileCrc32c = crc32c(end, this.fileCrc32c);
    this.fileBytes += end.length;
  }
}

/** The buffer alone on its ArrayBuffer, so posting it to another thread moves it instead of copying a shared pool slab. */
export function exclusive(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf;
  const own = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(own);
  return own;
}
