// Streams lines into a file with backpressure: lines are pulled, UTF-8 encoded straight into 1 MiB
// buffers, and each full buffer is handed to the file only as fast as the file takes them, so nothing
// upstream runs ahead and memory stays flat.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const BUFFER_BYTES = 1024 * 1024;
// A UTF-16 code unit never takes more than 3 bytes in UTF-8.
const MAX_BYTES_PER_CHAR = 3;

function* encode(lines: Iterable<string>): Generator<Buffer> {
  let buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  for (const line of lines) {
    if (used + line.length * MAX_BYTES_PER_CHAR + 1 > BUFFER_BYTES) {
      if (used > 0) yield buffer.subarray(0, used);
      buffer = Buffer.allocUnsafe(BUFFER_BYTES);
      used = 0;
      if (line.length * MAX_BYTES_PER_CHAR + 1 > BUFFER_BYTES) {
        yield Buffer.from(`${line}\n`);
        continue;
      }
    }
    used += buffer.write(line, used);
    buffer[used++] = 0x0a;
  }
  if (used > 0) yield buffer.subarray(0, used);
}

/** Writes each line plus "\n"; resolves with the bytes written once the file is flushed. */
export async function writeLines(lines: Iterable<string>, path: string): Promise<{ bytes: number }> {
  const file = createWriteStream(path);
  // At most two encoded buffers wait between the generator and the file.
  await pipeline(Readable.from(encode(lines), { highWaterMark: 2 }), file);
  return { bytes: file.bytesWritten };
}
