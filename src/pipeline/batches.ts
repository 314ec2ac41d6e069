// Cuts a byte stream (the bulk result download) into batches of whole JSONL lines for the workers.
// This is all the main thread does per byte: it searches for one '\n' per batch rather than per line
// and copies each byte once, as it arrives, into the batch's own buffer, which is then moved (not
// copied) to a worker. Copied at once: the download reads into the same memory again (http-get.ts).
// A batch ends at the first '\n' at or after its target size, counted from its start, so the batches
// (and the compressed files made from them) do not depend on how the network chunked the stream.
// Targets start small and double up to the largest: the first rows reach their files (and the
// progress line) at once, and small files still spread over the workers; large batches keep the
// per-batch costs (a message each way, a fresh deflate dictionary per table) negligible.
// Splitting bytes is safe for UTF-8: 0x0A never occurs inside a multi-byte sequence.

const NL = 0x0a;

export interface BatchSizes {
  first: number;
  max: number;
}

export const DEFAULT_BATCH_SIZES: BatchSizes = { first: 16 * 1024, max: 1024 * 1024 };

/** Memory for a batch of `size` bytes: a Buffer of that length at the start of an ArrayBuffer of its own. */
export type BatchAllocator = (size: number) => Buffer;

const allocateOwn: BatchAllocator = (size) => Buffer.allocUnsafeSlow(size);

// Room past a batch's target for the rest of its last line; a longer line grows the batch.
const LINE_ROOM = 64 * 1024;

/**
 * Batches of whole lines, each a Buffer at the start of an ArrayBuffer of its own (from `allocate`);
 * the last one may lack a final '\n'. A chunk of the source is read only until the next is pulled.
 */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, sizes: BatchSizes = DEFAULT_BATCH_SIZES, allocate = allocateOwn): AsyncGenerator<Buffer> {
  let targetBytes = Math.min(sizes.first, sizes.max);
  let batch: Buffer | null = null;
  let size = 0;
  for await (const chunk of chunks) {
    for (let pos = 0; pos < chunk.length; ) {
      const from = pos + Math.max(0, targetBytes - 1 - size);
      const nl = from < chunk.length ? chunk.indexOf(NL, from) : -1;
      const end = nl === -1 ? chunk.length : nl + 1;
      batch = room(batch, size, size + end - pos, targetBytes + LINE_ROOM, allocate);
      batch.set(chunk.subarray(pos, end), size);
      size += end - pos;
      pos = end;
      if (nl === -1) continue;
      yield batch.subarray(0, size);
      batch = null;
      size = 0;
      targetBytes = Math.min(targetBytes * 2, sizes.max);
    }
  }
  if (batch && size > 0) yield batch.subarray(0, size);
}

/** `batch` if it holds `needed` bytes, else new memory (at least `atLeast` bytes, doubling a batch outgrown) with its first `size` bytes. */
function room(batch: Buffer | null, size: number, needed: number, atLeast: number, allocate: BatchAllocator): Buffer {
  if (batch && needed <= batch.length) return batch;
  const grown = allocate(Math.max(needed, atLeast, (batch?.length ?? 0) * 2));
  if (batch) grown.set(batch.subarray(0, size));
  return grown;
}
