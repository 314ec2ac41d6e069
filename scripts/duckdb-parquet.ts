// The baseline `npm run bench -- --format parquet` compares the ETL's Parquet output against: DuckDB's
// own read_json → COPY … (FORMAT parquet, COMPRESSION zstd) over the same bulk result files, run as a
// program of its own (a fresh process, as the bench runs the bare loop). Each file (one per query of
// the entity) becomes one Parquet file of every line, types as DuckDB detects them; DuckDB uses its
// default threads. It prints the COPYs' time (ms, connecting excluded) and the bytes written.
//   node scripts/duckdb-parquet.ts OUT_DIR FILE…      → {"ms":…,"bytes":…}
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [out, ...files] = process.argv.slice(2);
const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
let ms = 0;
let bytes = 0;
for (const [i, file] of files.entries()) {
  const target = join(out!, `duckdb-${i}.parquet`);
  const t = performance.now();
  await connection.run(`COPY (SELECT * FROM read_json(${quote(file)}, format = 'newline_delimited')) TO ${quote(target)} (FORMAT parquet, COMPRESSION zstd)`);
  ms += performance.now() - t;
  bytes += (await stat(target)).size;
}
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ ms, bytes })}\n`);
