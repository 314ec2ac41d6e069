// CRC arithmetic for part files assembled from independently compressed segments (see pipeline/segment.ts):
// each worker checksums its own segment, and the main thread combines the checksums instead of reading
// every byte again. CRC-32 is gzip's trailer; CRC-32C is what GCS verifies an upload against.
// The CRC-32C here is table-driven slicing-by-16, several times faster than a byte-at-a-time loop,
// because it runs over every compressed byte: each 16 bytes are read as four little-endian words
// (DataView) and looked up in 16 tables (1.4-1.5x slicing-by-8's throughput, which read them byte by byte).
// Where ISA-L's binding is built (packages/isal-deflate), its CRC-32C (about 8x this one) is used instead.
import { isal } from 'isal-deflate';

export const CRC32_POLY = 0xedb88320;
export const CRC32C_POLY = 0x82f63b78;

const SLICES = 16;
const CRC32C_TABLES = ((): Int32Array => {
  const t = new Int32Array(256 * SLICES);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < SLICES; s++) {
      const prev = t[(s - 1) * 256 + n]!;
      t[s * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/** CRC-32C of `buf`, continuing from `crc` (the CRC of the bytes before it). */
export function crc32c(buf: Uint8Array, crc = 0): number {
  return isal !== null ? isal.crc32c(buf, crc) : crc32cTables(buf, crc);
}

/** crc32c without ISA-L (exported for the test that compares the two). */
export function crc32cTables(buf: Uint8Array, crc = 0): number {
  const t = CRC32C_TABLES;
  const words = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let c = ~crc;
  let i = 0;
  const end16 = buf.length - (buf.length % 16);
  for (; i < end16; i += 16) {
    const a = c ^ words.getInt32(i, true);
    const b = words.getInt32(i + 4, true);
    const d = words.getInt32(i + 8, true);
    const e = words.getInt32(i + 12, true);
    c =
      t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^ t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^ t[2560 + ((b >>> 8) & 0xff)]! ^ t[2304 + ((b >>> 16) & 0xff)]! ^ t[2048 + (b >>> 24)]! ^
      t[1792 + (d & 0xff)]! ^ t[1536 + ((d >>> 8) & 0xff)]! ^ t[1280 + ((d >>> 16) & 0xff)]! ^ t[1024 + (d >>> 24)]! ^
      t[768 + (e & 0xff)]! ^ t[512 + ((e >>> 8) & 0xff)]! ^ t[256 + ((e >>> 16) & 0xff)]! ^ t[e >>> 24]!;
  }
  for (; i < buf.length; i++) c = (c >>> 8) ^ t[(c ^ buf[i]!) & 0xff]!;
  // Unsigned by adding 2^32, not by `>>> 0`: V8 optimised that shift for the small results it had seen,
  // and each CRC of 2^31 or more then threw the whole call back to the interpreter (--trace-deopt:
  // "lost precision" on every other segment, the same optimised code never replaced).
  const signed = ~c;
  return signed < 0 ? signed + 4294967296 : signed;
}

/** A CRC-32C as GCS writes it: the four big-endian bytes in base64. */
export function crc32cBase64(crc: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc >>> 0);
  return out.toString('base64');
}

/** a(x)·b(x) modulo the CRC polynomial, in the reflected bit order CRCs use (zlib's multmodp). */
function multModP(poly: number, a: number, b: number): number {
  let product = 0;
  for (let m = 0x80000000; m !== 0; m >>>= 1) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ poly : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) mod P for k = 0…31, per polynomial: the powers a combine multiplies together. */
const powersOfX = new Map<number, Uint32Array>();

function powersFor(poly: number): Uint32Array {
  let table = powersOfX.get(poly);
  if (!table) {
    table = new Uint32Array(32);
    let p = 0x40000000; // x^1
    for (let k = 0; k < 32; k++) {
      table[k] = p;
      p = multModP(poly, p, p);
    }
    powersOfX.set(poly, table);
  }
  return table;
}

/**
 * The CRC of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine, for either
 * polynomial): crc(A) times x^(8·length) mod P, in O(log length) multiplications, so a part's checksum
 * costs nothing per byte on the main thread.
 */
export function crcCombine(poly: number, crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const powers = powersFor(poly);
  let shift = 0x80000000; // x^0
  // x^(8n) is the product of x^(2^k) over the set bits of 8n, that is of n shifted up by three.
  for (let n = lengthB, k = 3; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) shift = multModP(poly, powers[k % 32]!, shift);
  return (multModP(poly, shift, crcA) ^ crcB) >>> 0;
}
