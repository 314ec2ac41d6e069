// Cuts a byte stream (the bulk result download) into batches of whole JSONL lines for the workers.
// This is all the main thread does per byte: it searches for one '\n' per batch rather than per line
// and copies each byte once, into a buffer of its own that is then moved (not copied) to a worker.
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

/**
 * Batches of whole lines, each a Buffer at the start of an ArrayBuffer of its own (from `allocate`);
 * the last one may lack a final '\n'. The source must not reuse a chunk's memory after yielding it
 * (Node streams and the download do not).
 */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, sizes: BatchSizes = DEFAULT_BATCH_SIZES, allocate = allocateOwn): AsyncGenerator<Buffer> {
  let targetBytes = Math.min(sizes.first, sizes.max);
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    let pos = 0;
    for (;;) {
      const from = pos + Math.max(0, targetBytes - 1 - size);
      const nl = from < chunk.length ? chunk.indexOf(NL, from) : -1;
      if (nl === -1) break;
      parts.push(chunk.subarray(pos, nl + 1));
      yield join(parts, size + nl + 1 - pos, allocate);
      parts = [];
      size = 0;
      pos = nl + 1;
      targetBytes = Math.min(targetBytes * 2, sizes.max);
    }
    if (pos < chunk.length) {
      parts.push(chunk.subarray(pos));
      size += chunk.length - pos;
    }
  }
  if (size > 0) yield join(parts, size, allocate);
}

function join(parts: Uint8Array[], size: number, allocate: BatchAllocator): Buffer {
  const out = allocate(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
