// Splits a byte stream (the bulk result download) into JSONL lines. This is the hot path, so it
// searches raw bytes for '\n' (memchr speed) and decodes each line once. Splitting on bytes is safe for
// UTF-8: 0x0A never occurs inside a multi-byte sequence, so a character cut between two chunks is
// simply joined with the rest of its line before decoding.

/** Lines that know the 1-based physical line number of the line last yielded (empty lines count). */
export interface NumberedLines extends AsyncIterable<string> {
  readonly lineNumber: number;
}

const NL = 0x0a;
const CR = 0x0d;

export class JsonlLines implements NumberedLines {
  readonly #chunks: AsyncIterable<Uint8Array>;
  #lineNumber = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.#chunks = chunks;
  }

  get lineNumber(): number {
    return this.#lineNumber;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    // Bytes of a line that started in an earlier chunk; kept as pieces so a very long line costs one
    // concatenation, not one per chunk.
    let carry: Buffer[] = [];
    for await (const chunk of this.#chunks) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let start = 0;
      let nl = buf.indexOf(NL);
      if (nl !== -1 && carry.length > 0) {
        carry.push(buf.subarray(0, nl));
        const line = decode(Buffer.concat(carry), 0, sumLength(carry));
        carry = [];
        this.#lineNumber++;
        if (line.length > 0) yield line;
        start = nl + 1;
        nl = buf.indexOf(NL, start);
      }
      while (nl !== -1) {
        const line = decode(buf, start, nl);
        this.#lineNumber++;
        if (line.length > 0) yield line;
        start = nl + 1;
        nl = buf.indexOf(NL, start);
      }
      // Copied: the source may reuse its buffer for the next chunk.
      if (start < buf.length) carry.push(Buffer.from(buf.subarray(start)));
    }
    if (carry.length > 0) {
      // The last line had no final newline.
      const line = decode(Buffer.concat(carry), 0, sumLength(carry));
      this.#lineNumber++;
      if (line.length > 0) yield line;
    }
  }
}

/** Decodes bytes [start, end) as UTF-8, dropping the '\r' of a CRLF line end. */
function decode(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[end - 1] === CR) end--;
  return buf.toString('utf8', start, end);
}

function sumLength(parts: Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** Convenience: `for await (const line of splitLines(stream))`, with `.lineNumber` while iterating. */
export function splitLines(chunks: AsyncIterable<Uint8Array>): JsonlLines {
  return new JsonlLines(chunks);
}
