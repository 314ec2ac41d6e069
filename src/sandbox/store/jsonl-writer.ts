// Streams lines into a file with backpressure: the lines are pulled (in chunks of about 256 KiB) only
// as fast as the file takes them, so nothing upstream runs ahead and memory stays flat.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Big chunks and a deep file buffer let the next chunk be built while the last one is being written.
const CHUNK_CHARS = 256 * 1024;
const FILE_BUFFER_BYTES = 8 * 1024 * 1024;

function* chunks(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Writes each line plus "\n"; resolves with the bytes written once the file is flushed. */
export async function writeLines(lines: Iterable<string>, path: string): Promise<{ bytes: number }> {
  const file = createWriteStream(path, { highWaterMark: FILE_BUFFER_BYTES });
  await pipeline(Readable.from(chunks(lines)), file);
  return { bytes: file.bytesWritten };
}
