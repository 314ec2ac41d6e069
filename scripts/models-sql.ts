// Writes models/bigquery/<model>.sql from the models' definitions (src/models/definitions.ts), with the
// flags' defaults: run after changing a model; test/models/sql.test.ts fails while the files differ.
//   node scripts/models-sql.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_PARAMS } from '../src/models/definitions.ts';
import { BIGQUERY_FOLDER, bigQueryModelFiles } from '../src/models/index.ts';

const folder = join(import.meta.dirname, '..', BIGQUERY_FOLDER);
mkdirSync(folder, { recursive: true });
const files = bigQueryModelFiles(DEFAULT_MODEL_PARAMS);
// A model removed from the definitions leaves no file behind.
for (const name of readdirSync(folder)) if (name.endsWith('.sql') && !files.has(name)) rmSync(join(folder, name));
for (const [name, text] of files) writeFileSync(join(folder, name), text);
console.log(`wrote ${files.size} files to ${BIGQUERY_FOLDER}/`);
