// Splits a byte stream (the bulk result download) into JSONL lines. This is the hot path: it searches
// raw bytes for '\n' (memchr speed), decodes each line once, and splits a whole chunk at a time so
// handing out a line costs no more than a resolved promise (an async generator costs a few scheduler
// hops per line, which shows next to JSON.parse). Splitting bytes is safe for UTF-8: 0x0A never occurs
// inside a multi-byte sequence, so a character cut between chunks is rejoined before decoding.
import { EtlError, ErrorCodes } from '../errors.ts';

/** Lines that know the 1-based physical line number of the line last handed out (empty lines count). */
export interface NumberedLines extends AsyncIterable<string> {
  readonly lineNumber: number;
}

const NL = 0x0a;
const CR = 0x0d;

export class JsonlLines implements NumberedLines {
  readonly #chunks: AsyncIterable<Uint8Array>;
  #lineNumber = 0;
  #iterating = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.#chunks = chunks;
  }

  get lineNumber(): number {
    return this.#lineNumber;
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.#iterating) throw new EtlError(ErrorCodes.INTERNAL, 'JsonlLines can be iterated once');
    this.#iterating = true;
    const source = this.#chunks[Symbol.asyncIterator]();
    // The lines of the current chunk and their line numbers; `next` hands them out one by one.
    let lines: string[] = [];
    let numbers: number[] = [];
    let i = 0;
    let read = 0; // physical lines completed so far
    let carry: Buffer[] = []; // bytes of a line that started in an earlier chunk
    let ended = false;

    const push = (line: string): void => {
      read++;
      if (line.length > 0) {
        lines.push(line);
        numbers.push(read);
      }
    };
    const split = (buf: Buffer): void => {
      let start = 0;
      let nl = buf.indexOf(NL);
      if (nl !== -1 && carry.length > 0) {
        carry.push(buf.subarray(0, nl));
        push(decodeAll(carry));
        carry = [];
        start = nl + 1;
        nl = buf.indexOf(NL, start);
      }
      while (nl !== -1) {
        push(decode(buf, start, nl));
        start = nl + 1;
        nl = buf.indexOf(NL, start);
      }
      // Copied: the source may reuse its buffer for the next chunk.
      if (start < buf.length) carry.push(Buffer.from(buf.subarray(start)));
    };
    const take = (): IteratorResult<string> => {
      this.#lineNumber = numbers[i]!;
      return { value: lines[i++]!, done: false };
    };
    const refill = async (): Promise<IteratorResult<string>> => {
      while (!ended) {
        lines = [];
        numbers = [];
        i = 0;
        const r = await source.next();
        if (r.done) {
          ended = true;
          if (carry.length > 0) push(decodeAll(carry)); // the last line had no final newline
          carry = [];
        } else {
          const c = r.value;
          split(Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength));
        }
        if (i < lines.length) return take();
      }
      return { value: undefined, done: true };
    };
    return {
      next: () => (i < lines.length ? Promise.resolve(take()) : refill()),
      // The consumer stopped early (an error, a break): let the source release its connection or file.
      return: async () => {
        ended = true;
        lines = [];
        await source.return?.();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Decodes bytes [start, end) as UTF-8, dropping the '\r' of a CRLF line end. */
function decode(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end > start && buf[end - 1] === CR ? end - 1 : end);
}

function decodeAll(parts: Buffer[]): string {
  const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return decode(buf, 0, buf.length);
}

/** `for await (const line of splitLines(stream))`, with `.lineNumber` readable while iterating. */
export function splitLines(chunks: AsyncIterable<Uint8Array>): JsonlLines {
  return new JsonlLines(chunks);
}
