// zstd for Parquet pages: one compression context per thread, reused for every page. A worker
// compresses a page per column per batch (thousands a minute, most of a few KiB), and node:zlib's
// zstdCompressSync makes a new context for each call, whose setup cost more than the compressing
// (about 30 µs a call against 5 for a reused context, on pages of 2 KiB). node:zlib has no synchronous
// API that keeps a context, so this drives the native handle of one ZstdCompress the way
// zstdCompressSync does (writeSync with ZSTD_e_end, the amounts left in its write state), without
// closing it after the frame: zstd starts the next frame on the same context. Each page is a whole
// zstd frame, as a Parquet reader expects.
import zlib, { constants } from 'node:zlib';
import { EtlError, ErrorCodes } from '../errors/index.ts';

/**
 * zstd's parameters for every page: level 1 with a target length of 1, which on its fast strategy is
 * how zstd makes its negative levels (node:zlib cannot pass -1: it reads it as no level set), and
 * matches of 4 bytes or more. That strategy leaves the literals without Huffman coding: building a
 * Huffman table for each page of a few KiB was the part of zstd's time that levels 1 to 3 all pay.
 * README, Parquet output, gives the CPU and size against level 3.
 */
export const ZSTD_PARAMS = { [constants.ZSTD_c_compressionLevel]: 1, [constants.ZSTD_c_targetLength]: 1, [constants.ZSTD_c_minMatch]: 4 };

/** The parts of node:zlib's ZstdCompress used here: its native handle, and the amounts of output and input left after a write. */
interface ZstdInternals {
  _handle: { writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void };
  _writeState: Uint32Array;
}

function hasInternals(engine: object): engine is ZstdInternals {
  const e = engine as Partial<ZstdInternals>;
  return typeof e._handle?.writeSync === 'function' && e._writeState instanceof Uint32Array;
}

/** Worst-case zstd output for `n` input bytes (ZSTD_COMPRESSBOUND rounded up): one call always finishes the frame. */
export const compressBound = (n: number): number => n + (n >> 7) + 64;

export class PageCompressor {
  readonly #engine: ZstdInternals;
  /** An error the native handle reported (node:zlib destroys the stream with it, and emits it later). */
  #failed: Error | null = null;

  constructor() {
    const engine = new zlib.ZstdCompress({ params: ZSTD_PARAMS });
    // node:zlib's internals are not an API: checked once, so a Node that changed them fails at the first page with a clear message.
    if (!hasInternals(engine)) throw new EtlError(ErrorCodes.INTERNAL, `node ${process.version}: zlib's ZstdCompress has no native handle to reuse for Parquet pages`);
    engine.on('error', (err: Error) => (this.#failed = err));
    this.#engine = engine;
  }

  /** Compresses src[0, length) as one zstd frame into out at `at` (room for compressBound(length) there); returns the frame's length. */
  compress(src: Uint8Array, length: number, out: Uint8Array, at: number): number {
    const room = compressBound(length);
    if (out.length - at < room) throw new EtlError(ErrorCodes.INTERNAL, `zstd: ${out.length - at} bytes of room for a page of ${length}`);
    const state = this.#engine._writeState;
    // A call that fails writes no state: what is left from before must not pass for this page's.
    state[0] = 0;
    state[1] = length;
    this.#engine._handle.writeSync(constants.ZSTD_e_end, src, 0, length, out, at, room);
    const outLeft = state[0]!;
    // With room for the bound, one call takes all the input and ends the frame, leaving some of the room unused.
    if (this.#failed !== null || state[1] !== 0 || outLeft === 0) throw new EtlError(ErrorCodes.INTERNAL, `zstd: a page of ${length} bytes did not compress${this.#failed ? ` (${this.#failed.message})` : ''}`);
    return room - outLeft;
  }
}
