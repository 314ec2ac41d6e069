// Shopify's real Admin GraphQL schema, for tests that hold our queries and the sandbox to it. The part
// the tests reach is committed under admin-schema/ (an introspection result trimmed from the one
// Shopify ships in the @shopify/dev-mcp npm package; provenance beside it), so tests need no network.
// After changing queries/, the sandbox's schema or a query a test validates, run
// `node scripts/refresh-admin-schema.ts`: a field the copy lacks reads as "does not exist".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

const DATA_DIR = join(import.meta.dirname, 'admin-schema');

const schemas = new Map<string, GraphQLSchema>();

/** The real Admin schema for an API version (e.g. '2026-10'), as far as the tests use it. */
export function adminSchema(version: string): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const introspection = JSON.parse(gunzipSync(readFileSync(join(DATA_DIR, `admin_${version}.json.gz`))).toString('utf8')) as { data: IntrospectionQuery };
    schema = buildClientSchema(introspection.data, { assumeValid: true });
    schemas.set(version, schema);
  }
  return schema;
}
