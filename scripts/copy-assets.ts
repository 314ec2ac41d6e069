// Build step after tsc: the compiled modules read the sandbox's GraphQL schema files next to
// themselves (new URL('./', import.meta.url) in src/sandbox/schema/index.ts), and tsc copies only
// code, so `node dist/main.js --sandbox` needs them copied into dist. (queries/ is read from the
// package root, ../../queries from dist/entities, so it ships as is.)
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const from = join(root, 'src', 'sandbox', 'schema');
const to = join(root, 'dist', 'sandbox', 'schema');
const files = readdirSync(from).filter((f) => f.endsWith('.graphql'));
for (const f of files) cpSync(join(from, f), join(to, f));
console.log(`copied ${files.length} schema files to dist/sandbox/schema`);
