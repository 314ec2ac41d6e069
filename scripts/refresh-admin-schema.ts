// Refreshes test/support/admin-schema/: the part of Shopify's Admin GraphQL schema the tests hold
// our queries and the sandbox to, so `npm test` needs no network. Run it after changing a query in
// queries/, the sandbox's schema, or a GraphQL document a test validates against Shopify's schema:
//
//   node scripts/refresh-admin-schema.ts                       # npm pack @shopify/dev-mcp@VERSION
//   node scripts/refresh-admin-schema.ts --from admin.json.gz  # a copy of the same file already at hand
//
// The source is the introspection result Shopify ships in the @shopify/dev-mcp npm package
// (dist/data/admin_<version>.json.gz). What is kept, from it and nothing else:
// - every type and field of the sandbox's schema that Shopify's has, and every type and field a
//   GraphQL document of queries/, of the recorded bulk queries (packages/shopify-sandbox/test/captures) or of a
//   string literal in test/ or packages/shopify-sandbox/test/ reaches;
// - on every kept object or interface, its fields of scalar or enum type too (a new column needs no
//   refresh), and the fields of its kept interfaces;
// - with each kept field, all its arguments; with each kept input type, all its fields; with each
//   kept union or interface, every type it can be (so "what can this node be" stays exact);
// - every enum value, every directive. Descriptions are dropped.
// The result and its provenance (package, version, file, the source's sha256, date) are written
// beside each other; test/support/admin-schema.ts reads them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  buildClientSchema,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isUnionType,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type IntrospectionType,
} from 'graphql';
import { bulkQueryErrors, sandboxSchema } from 'shopify-sandbox';

const PACKAGE = '@shopify/dev-mcp';
const VERSION = '1.16.0';
const API_VERSION = '2026-10';
const ROOT = resolve(import.meta.dirname, '..');
const OUT_DIR = join(ROOT, 'test/support/admin-schema');
const SANDBOX_TESTS = join(ROOT, 'packages/shopify-sandbox/test');
const CAPTURES_DIR = join(SANDBOX_TESTS, 'captures');

interface Source {
  bytes: Buffer;
  provenance: Record<string, string>;
}

function fetchSource(from: string | undefined): Source {
  const file = `package/dist/data/admin_${API_VERSION}.json.gz`;
  const common = { package: PACKAGE, version: VERSION, file };
  if (from) return { bytes: readFileSync(from), provenance: { ...common, fetched: `copy at ${from}` } };
  const tmp = mkdtempSync(join(tmpdir(), 'dev-mcp-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', `${PACKAGE}@${VERSION}`, '--pack-destination', tmp], { encoding: 'utf8' })) as Array<{ filename: string; integrity: string }>;
    execFileSync('tar', ['xzf', join(tmp, packed!.filename), '-C', tmp, file]);
    return { bytes: readFileSync(join(tmp, file)), provenance: { ...common, fetched: 'npm pack', tarballIntegrity: packed!.integrity } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** GraphQL documents the tests validate against Shopify's schema, wherever they are written. */
function documents(): Array<{ text: string; doc: DocumentNode }> {
  const texts: string[] = [];
  const queries = join(ROOT, 'queries');
  for (const f of readdirSync(queries).filter((n) => n.endsWith('.graphql'))) texts.push(readFileSync(join(queries, f), 'utf8'));
  const walk = (dir: string, visitFile: (path: string) => void): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, visitFile);
      else visitFile(path);
    }
  };
  // The bulk queries Shopify's answers were recorded for: `variables.query` of every interaction.
  walk(CAPTURES_DIR, (path) => {
    if (!path.endsWith('.json')) return;
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const vars = (node as { variables?: { query?: unknown } }).variables;
        if (typeof vars?.query === 'string') texts.push(vars.query);
        Object.values(node).forEach(collect);
      }
    };
    collect(JSON.parse(readFileSync(path, 'utf8')));
  });
  // Queries written inline in tests: every string literal that parses as a GraphQL document. One
  // left-to-right scan over comments and every kind of string, so an apostrophe in a comment or a
  // template literal elsewhere in the file cannot pair the wrong quotes and swallow a query.
  const literals = (path: string): void => {
    if (!path.endsWith('.ts')) return;
    const tokens = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;
    for (const m of readFileSync(path, 'utf8').matchAll(tokens)) {
      const text = m[1] ?? m[2] ?? m[3];
      if (text !== undefined && !text.includes('${')) texts.push(text.replace(/\\(['"`])/g, '$1'));
    }
  };
  walk(join(ROOT, 'test'), literals);
  walk(SANDBOX_TESTS, literals);
  const docs: Array<{ text: string; doc: DocumentNode }> = [];
  for (const text of new Set(texts)) {
    if (!/[{}]/.test(text)) continue;
    try {
      docs.push({ text, doc: parse(text) });
    } catch {
      // Not a document (or a deliberately broken one): it reaches nothing.
    }
  }
  return docs;
}

/** The kept types and, per object or interface type, the kept fields. */
class Keep {
  readonly types = new Set<string>();
  readonly fields = new Map<string, Set<string>>();
  private readonly schema: GraphQLSchema;
  constructor(schema: GraphQLSchema) {
    this.schema = schema;
  }

  type(name: string): void {
    const type = this.schema.getType(name);
    if (!type || name.startsWith('__') || this.types.has(name)) return;
    this.types.add(name);
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) this.type(getNamedType(f.type).name);
    if (isUnionType(type)) for (const t of type.getTypes()) this.type(t.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      this.fields.set(name, new Set());
      for (const f of Object.values(type.getFields())) if (isLeafType(getNamedType(f.type))) this.field(name, f.name);
      for (const i of type.getInterfaces()) for (const f of this.fields.get(i.name) ?? []) this.field(name, f);
    }
    if (isInterfaceType(type)) for (const t of this.schema.getPossibleTypes(type)) this.type(t.name);
  }

  field(typeName: string, fieldName: string): void {
    const type = this.schema.getType(typeName);
    if (typeName.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) return;
    const def = type.getFields()[fieldName];
    if (!def) return;
    this.type(typeName);
    const kept = this.fields.get(typeName)!;
    if (kept.has(fieldName)) return;
    kept.add(fieldName);
    this.type(getNamedType(def.type).name);
    for (const arg of def.args) this.type(getNamedType(arg.type).name);
    if (isInterfaceType(type)) for (const t of this.schema.getPossibleTypes(type)) this.field(t.name, fieldName);
  }
}

function trim(introspection: IntrospectionQuery, docs: Array<{ doc: DocumentNode }>): { trimmed: IntrospectionQuery; counts: Record<string, number> } {
  const full = buildClientSchema(introspection, { assumeValid: true });
  const keep = new Keep(full);
  for (const root of [full.getQueryType(), full.getMutationType()]) if (root) keep.type(root.name);
  for (const d of full.getDirectives()) for (const arg of d.args) keep.type(getNamedType(arg.type).name);

  const ours = sandboxSchema(API_VERSION);
  for (const type of Object.values(ours.getTypeMap())) {
    keep.type(type.name);
    if (isObjectType(type) || isInterfaceType(type)) for (const f of Object.keys(type.getFields())) keep.field(type.name, f);
  }
  const info = new TypeInfo(full);
  for (const { doc } of docs) {
    visit(doc, visitWithTypeInfo(info, {
      Field(node) {
        const parent = info.getParentType();
        if (parent && !node.name.value.startsWith('__')) keep.field(parent.name, node.name.value);
      },
      NamedType(node) { keep.type(node.name.value); },
    }));
  }

  const types: IntrospectionType[] = [];
  let fields = 0;
  let allFields = 0;
  const keptRef = <T extends { name: string }>(list: readonly T[]): T[] => list.filter((t) => keep.types.has(t.name));
  for (const t of introspection.__schema.types) {
    if ('fields' in t && t.fields) allFields += t.fields.length;
    if (!t.name.startsWith('__') && !keep.types.has(t.name)) continue;
    const base = { ...t, description: null };
    if (t.kind === 'OBJECT' || t.kind === 'INTERFACE') {
      const kept = t.name.startsWith('__') ? t.fields : t.fields.filter((f) => keep.fields.get(t.name)?.has(f.name));
      fields += kept.length;
      const stripped = kept.map((f) => ({ ...f, description: null, args: f.args.map((a) => ({ ...a, description: null })) }));
      if (t.kind === 'OBJECT') types.push({ ...base, kind: 'OBJECT', fields: stripped, interfaces: keptRef(t.interfaces) } as IntrospectionType);
      else types.push({ ...base, kind: 'INTERFACE', fields: stripped, interfaces: keptRef(t.interfaces ?? []), possibleTypes: keptRef(t.possibleTypes) } as IntrospectionType);
    } else if (t.kind === 'INPUT_OBJECT') {
      types.push({ ...base, inputFields: t.inputFields.map((f) => ({ ...f, description: null })) } as IntrospectionType);
    } else if (t.kind === 'ENUM') {
      types.push({ ...base, enumValues: t.enumValues.map((v) => ({ ...v, description: null })) } as IntrospectionType);
    } else {
      types.push(base as IntrospectionType);
    }
  }
  const schema = introspection.__schema;
  const trimmed: IntrospectionQuery = {
    __schema: {
      ...schema,
      description: null,
      subscriptionType: null,
      mutationType: schema.mutationType && keep.types.has(schema.mutationType.name) ? schema.mutationType : null,
      types,
      directives: schema.directives.map((d) => ({ ...d, description: null, args: d.args.map((a) => ({ ...a, description: null })) })),
    },
  };
  return { trimmed, counts: { types: types.length, fields, sourceTypes: schema.types.length, sourceFields: allFields } };
}

// Anything else on the command line is a mistake, not a silent default.
const args = process.argv.slice(2);
if (!(args.length === 0 || (args.length === 2 && args[0] === '--from'))) {
  process.stderr.write('usage: node scripts/refresh-admin-schema.ts [--from admin_2026-10.json.gz]\n');
  process.exit(2);
}
const source = fetchSource(args[1]);
const introspection = JSON.parse(gunzipSync(source.bytes).toString('utf8')) as { data: IntrospectionQuery };
const docs = documents();
const { trimmed, counts } = trim(introspection.data, docs);
// The copy must answer every document exactly as the whole schema does, or a test would mean less.
const full = buildClientSchema(introspection.data, { assumeValid: true });
const copy = buildClientSchema(trimmed, { assumeValid: true });
for (const { text } of docs) {
  const [expected, actual] = [full, copy].map((schema) => JSON.stringify(bulkQueryErrors(schema, text)));
  if (expected !== actual) throw new Error(`the trimmed schema answers differently for ${JSON.stringify(text.slice(0, 200))}: ${actual} instead of ${expected}`);
}
const out = gzipSync(JSON.stringify({ data: trimmed }), { level: 9 });
const name = `admin_${API_VERSION}`;
writeFileSync(join(OUT_DIR, `${name}.json.gz`), out);
const provenance = {
  ...source.provenance,
  sourceSha256: createHash('sha256').update(source.bytes).digest('hex'),
  refreshed: new Date().toISOString().slice(0, 10),
  script: 'scripts/refresh-admin-schema.ts',
  kept: counts,
  sha256: createHash('sha256').update(out).digest('hex'),
};
writeFileSync(join(OUT_DIR, `${name}.provenance.json`), `${JSON.stringify(provenance, null, 2)}\n`);
process.stdout.write(`${name}: kept ${counts.types} of ${counts.sourceTypes} types, ${counts.fields} of ${counts.sourceFields} fields; ${out.length} bytes gzipped; ${docs.length} documents answered alike\n`);
