// Streams lines into a file with backpressure and flat memory: lines are pulled and UTF-8 encoded
// straight into one of two reused 1 MiB buffers; while one buffer is being written, the other fills,
// and filling stops until that write has finished. (Fresh buffers per chunk would pile up as external
// memory until the garbage collector gets round to them.)
import { open, type FileHandle } from 'node:fs/promises';

const BUFFER_BYTES = 1024 * 1024;
// A UTF-16 code unit never takes more than 3 bytes in UTF-8.
const MAX_BYTES_PER_CHAR = 3;

async function writeAll(file: FileHandle, buffer: Buffer, length: number): Promise<void> {
  let offset = 0;
  while (offset < length) offset += (await file.write(buffer, offset, length - offset)).bytesWritten;
}

/** Writes each line plus "\n"; resolves with the bytes written once every write has finished. */
export async function writeLines(lines: Iterable<string>, path: string): Promise<{ bytes: number }> {
  const file = await open(path, 'w');
  let inFlight: Promise<void> = Promise.resolve();
  let bytes = 0;
  try {
    let current = Buffer.allocUnsafe(BUFFER_BYTES);
    let spare = Buffer.allocUnsafe(BUFFER_BYTES);
    let used = 0;
    const flush = async (): Promise<void> => {
      await inFlight;
      const full = current;
      const length = used;
      inFlight = writeAll(file, full, length);
      bytes += length;
      [current, spare] = [spare, full];
      used = 0;
    };
    for (const line of lines) {
      const worstCase = line.length * MAX_BYTES_PER_CHAR + 1;
      if (used + worstCase > BUFFER_BYTES) {
        if (used > 0) await flush();
        if (worstCase > BUFFER_BYTES) {
          const big = Buffer.from(`${line}\n`);
          await inFlight;
          inFlight = writeAll(file, big, big.length);
          bytes += big.length;
          continue;
        }
      }
      used += current.write(line, used);
      current[used++] = 0x0a;
    }
    if (used > 0) await flush();
    await inFlight;
  } finally {
    // A failed write must not leave an unhandled rejection behind the one we rethrow.
    await inFlight.catch(() => undefined);
    await file.close();
  }
  return { bytes };
}
