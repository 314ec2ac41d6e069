// Shopify's real Admin GraphQL schema, for tests that hold our queries and the sandbox to it.
// It ships inside the @shopify/dev-mcp npm package as dist/data/admin_<version>.json.gz (an
// introspection result). Fetched once with `npm pack` into .cache/ (git-ignored), never committed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

const DEV_MCP = '@shopify/dev-mcp@1.16.0';
const CACHE_DIR = resolve(import.meta.dirname, '../../.cache/admin-schema');

const schemas = new Map<string, GraphQLSchema>();

export function adminSchemaFile(version: string): string {
  const file = join(CACHE_DIR, `admin_${version}.json.gz`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'dev-mcp-'));
  try {
    const tgz = execFileSync('npm', ['pack', '--silent', DEV_MCP, '--pack-destination', tmp], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp, `package/dist/data/admin_${version}.json.gz`]);
    renameSync(join(tmp, 'package/dist/data', `admin_${version}.json.gz`), file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

/** The real Admin schema for an API version (e.g. '2026-10'), built from Shopify's introspection. */
export function adminSchema(version: string): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const introspection = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString('utf8')) as { data: IntrospectionQuery };
    schema = buildClientSchema(introspection.data, { assumeValid: true });
    schemas.set(version, schema);
  }
  return schema;
}
