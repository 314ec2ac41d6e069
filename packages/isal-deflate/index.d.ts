/** ISA-L's raw deflate and CRCs for one thread (each thread that imports this gets its own stream). */
export interface IsalBinding {
  /**
   * Deflates `raw` into `out` at ISA-L's level 1, raw deflate ended with a sync flush (byte-aligned, not
   * final), and returns the bytes written, or -1 when `out` had too little room (then nothing in it is usable).
   * On success sums[0] is the CRC-32 (gzip's) of raw and sums[1] the CRC-32C of the bytes written.
   */
  segment(raw: Uint8Array, out: Uint8Array, sums: Uint32Array): number;
  /** CRC-32C (Castagnoli, as GCS checks uploads) of `bytes`, continuing from `crc`, the CRC of the bytes before them. */
  crc32c(bytes: Uint8Array, crc?: number): number;
}

/** The binding, or null when it was not built or cannot load (see isalMissing). */
export const isal: IsalBinding | null;
/** Why `isal` is null, with what to install; null when it loaded. */
export const isalMissing: string | null;
