// A part file is one gzip member assembled from segments compressed independently, the way pigz
// parallelises gzip: each segment is raw deflate ended with a sync flush (byte-aligned, not final), so
// segments concatenate into one valid deflate stream; the file is a gzip header, the segments, an
// empty final block, and a trailer whose CRC-32 is combined from the segments' own. Any gzip reader
// (BigQuery, gunzip, zlib) sees an ordinary single-member file. Workers compress segments in parallel;
// the main thread only appends bytes and combines checksums.
// At level 1, the default, segments are compressed by ISA-L (packages/isal-deflate) when its binding is
// built: about 4x zlib's level 1 on this output, files a few percent larger, and its CRCs 4x faster.
// Compression was a third of a worker's time. Any other level, or without ISA-L, goes through node:zlib.
import zlib, { constants, crc32 } from 'node:zlib';
import { isal, isalMissing } from 'isal-deflate';
import { EtlError, ErrorCodes } from '../errors/index.ts';
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
  if (level === ISAL_LEVEL && isal !== null) return isalSegment(raw, rows);
  const bytes = deflater(level).segment(raw);
  return { bytes, rows, textBytes: raw.length, textCrc32: crc32(raw), crc32c: crc32c(bytes) };
}

const ISAL_LEVEL = 1;

/** What compresses gzip parts at `level`, as the run and the bench name it, and why not ISA-L where it could have been. */
export function gzipEngine(level: number): { engine: string; fallback: string | null } {
  if (level !== ISAL_LEVEL) return { engine: `node:zlib level ${level}`, fallback: null };
  return isal !== null ? { engine: 'ISA-L level 1', fallback: null } : { engine: 'node:zlib level 1', fallback: `ISA-L (packages/isal-deflate) ${isalMissing}` };
}

/** Output room for ISA-L, kept between segments like SegmentDeflater's; the CRCs it returns. */
let isalOut = Buffer.allocUnsafeSlow(64 * 1024);
const isalSums = new Uint32Array(2);

function isalSegment(raw: Uint8Array, rows: number): Segment {
  // Stored blocks at worst (5 bytes per 64 KiB) plus block headers and the flush: one call nearly always does.
  let room = raw.length + (raw.length >> 8) + 1024;
  for (;;) {
    if (isalOut.length < room) isalOut = Buffer.allocUnsafeSlow(room);
    const used = isal!.segment(raw, isalOut, isalSums);
    if (used >= 0) {
      const bytes = Buffer.allocUnsafeSlow(used);
      isalOut.copy(bytes, 0, 0, used);
      return { bytes, rows, textBytes: raw.length, textCrc32: isalSums[0]!, crc32c: isalSums[1]! };
    }
    if (room > 2 * raw.length + 65536) throw new EtlError(ErrorCodes.INTERNAL, `deflate (ISA-L): a segment of ${raw.length} bytes did not fit in ${room} bytes`);
    room *= 2;
  }
}

/** The parts of node:zlib's DeflateRaw used here: its native handle, and the amounts of output and input left after a write. */
interface DeflateInternals {
  _handle: { writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void; reset(): void };
  _writeState: Uint32Array;
}

function hasDeflateInternals(engine: object): engine is DeflateInternals {
  const e = engine as Partial<DeflateInternals>;
  return typeof e._handle?.writeSync === 'function' && typeof e._handle.reset === 'function' && e._writeState instanceof Uint32Array;
}

/**
 * Raw deflate of one segment at a time on a stream kept for the thread, reset between segments.
 * deflateRawSync sets up a new zlib stream for each call (its hash tables and window allocated and
 * cleared, a JS handle made), about 36 µs whatever the input, and a worker deflates every table of
 * every batch; a reset costs a fraction of that. node:zlib has no synchronous API that keeps a stream,
 * so this drives its native handle as deflateRawSync does (writeSync, the amounts left in its write state).
 */
class SegmentDeflater {
  readonly #engine: DeflateInternals;
  /** Output room, kept between segments; deflate's own result is copied out of it, exactly sized. */
  #out = Buffer.allocUnsafeSlow(64 * 1024);

  constructor(level: number) {
    const engine = new zlib.DeflateRaw({ level });
    // node:zlib's internals are not an API: checked once, so a Node that changed them fails at the first segment with a clear message.
    if (!hasDeflateInternals(engine)) throw new EtlError(ErrorCodes.INTERNAL, `node ${process.version}: zlib's DeflateRaw has no native handle to reuse for segments`);
    engine.on('error', (err: Error) => (this.#failed = err));
    this.#engine = engine;
  }

  /** An error the native handle reported (node:zlib destroys the stream with it, and emits it later). */
  #failed: Error | null = null;

  /** `raw` deflated and ended with a sync flush (byte-aligned, not final), on an ArrayBuffer of its own. */
  segment(raw: Uint8Array): Buffer {
    const handle = this.#engine._handle;
    const state = this.#engine._writeState;
    handle.reset();
    // Deflate's bound (stored blocks at worst) plus the sync flush's empty block: one call nearly always does.
    let room = raw.length + (raw.length >> 10) + 64;
    if (this.#out.length < room) this.#out = Buffer.allocUnsafeSlow(room);
    let used = 0;
    let inOff = 0;
    for (;;) {
      const out = this.#out;
      state[0] = 0;
      state[1] = raw.length - inOff;
      handle.writeSync(constants.Z_SYNC_FLUSH, raw, inOff, raw.length - inOff, out, used, out.length - used);
      const outLeft = state[0]!;
      const took = raw.length - state[1]! - inOff;
      // A call that fails writes no state, so it took nothing and left all the room.
      if (this.#failed !== null || (took === 0 && outLeft === out.length - used)) throw new EtlError(ErrorCodes.INTERNAL, `deflate: a segment of ${raw.length} bytes did not compress${this.#failed ? ` (${this.#failed.message})` : ''}`);
      inOff += took;
      used = out.length - outLeft;
      // zlib is done once it took all the input and left output room unused; else it needs more room.
      if (inOff === raw.length && outLeft > 0) break;
      room = out.length * 2;
      const grown = Buffer.allocUnsafeSlow(room);
      out.copy(grown, 0, 0, used);
      this.#out = grown;
    }
    const bytes = Buffer.allocUnsafeSlow(used);
    this.#out.copy(bytes, 0, 0, used);
    return bytes;
  }
}

// One per thread and level (a run has one level): the workers each keep theirs.
const deflaters = new Map<number, SegmentDeflater>();
const deflater = (level: number): SegmentDeflater => deflaters.get(level) ?? deflaters.set(level, new SegmentDeflater(level)).get(level)!;

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
