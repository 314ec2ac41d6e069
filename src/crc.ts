// CRC arithmetic for part files assembled from independently compressed segments (see segment.ts):
// each worker checksums its own segment, and the main thread combines the checksums instead of reading
// every byte again. CRC-32 is gzip's trailer; CRC-32C is what GCS verifies an upload against.
// The CRC-32C here is table-driven slicing-by-8, several times faster than a byte-at-a-time loop,
// because it runs over every compressed byte.

export const CRC32_POLY = 0xedb88320;
export const CRC32C_POLY = 0x82f63b78;

const SLICES = 8;
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
  const t = CRC32C_TABLES;
  let c = ~crc;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  for (; i < end8; i += 8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^ t[512 + buf[i + 5]!]! ^ t[256 + buf[i + 6]!]! ^ t[buf[i + 7]!]!;
  }
  for (; i < buf.length; i++) c = (c >>> 8) ^ t[(c ^ buf[i]!) & 0xff]!;
  return ~c >>> 0;
}

/** A CRC-32C as GCS writes it: the four big-endian bytes in base64. */
export function crc32cBase64(crc: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc >>> 0);
  return out.toString('base64');
}

function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i]!;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n]!);
}

/**
 * The CRC of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine, for either
 * polynomial): O(log length), so a part's checksum costs nothing per byte on the main thread.
 */
export function crcCombine(poly: number, crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = poly;
  for (let n = 1; n < 32; n++) odd[n] = 1 << (n - 1);
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four zero bits
  let crc = crcA;
  let len = lengthB;
  for (;;) {
    gf2Square(even, odd);
    if (len % 2) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len % 2) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}
