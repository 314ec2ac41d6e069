// The bare loop the bench compares the ETL against: split + JSON.parse over a JSONL file, nothing else.
// The bench runs it as a program of its own, the fair baseline: a fresh process with node's default
// flags, started as a user starts one; it prints the loop's time over all the files given (an entity
// of several queries reads one file per query), one after another.
//   node scripts/bare-loop.ts FILE…      → {"ms":…}
import { createReadStream } from 'node:fs';

/** Reads `file` in 1 MiB chunks, splits it into lines and parses each one; the loop's time, ms. */
async function bareLoop(file: string): Promise<number> {
  const t = performance.now();
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) JSON.parse(line);
  }
  if (rest) JSON.parse(rest);
  return performance.now() - t;
}

let ms = 0;
for (const file of process.argv.slice(2)) ms += await bareLoop(file);
process.stdout.write(`${JSON.stringify({ ms })}\n`);
