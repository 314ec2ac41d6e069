// The sandbox's GraphQL schema for one Admin API version: bulk.graphql (bulk operations, this side)
// plus store.graphql (entities, the store side), with the differences between versions applied.
import { readFileSync } from 'node:fs';
import {
  Kind,
  buildASTSchema,
  parse,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/** First version with `groupObjects` on bulkOperationRunQuery (default true until 2025-10). */
export const GROUP_OBJECTS_SINCE = '2025-07';
/** First version with bulkOperation(id:)/bulkOperations, five concurrent bulk queries and groupObjects default false. */
export const NEW_BULK_QUERIES_SINCE = '2026-01';

/** `unstable` is newer than every dated version. */
export function versionAtLeast(version: string, since: string): boolean {
  return version === 'unstable' || version >= since;
}

const SCHEMA_DIR = new URL('./', import.meta.url);
const cache = new Map<string, GraphQLSchema>();

function readSdl(name: string): DocumentNode {
  return parse(readFileSync(new URL(name, SCHEMA_DIR), 'utf8'));
}

/**
 * Both files in one document. A type both files define (PageInfo, say) is taken from bulk.graphql:
 * the two halves are written in parallel, and both must match Shopify's schema anyway (subset test).
 */
function combined(bulk: DocumentNode, store: DocumentNode): DocumentNode {
  const named = (d: DefinitionNode): string | undefined =>
    'name' in d && d.name && !d.kind.endsWith('Extension') ? d.name.value : undefined;
  const taken = new Set(bulk.definitions.map(named).filter((n): n is string => n !== undefined));
  const storeDefinitions = store.definitions.filter((d) => {
    const name = named(d);
    return name === undefined || !taken.has(name);
  });
  return { kind: Kind.DOCUMENT, definitions: [...bulk.definitions, ...storeDefinitions] };
}

/** Removes or changes what the given version does not have. */
function forVersion(document: DocumentNode, apiVersion: string): DocumentNode {
  const hasNewQueries = versionAtLeast(apiVersion, NEW_BULK_QUERIES_SINCE);
  const hasGroupObjects = versionAtLeast(apiVersion, GROUP_OBJECTS_SINCE);
  let parent = '';
  return visit(document, {
    ObjectTypeDefinition: { enter: (node) => { parent = node.name.value; } },
    ObjectTypeExtension: { enter: (node) => { parent = node.name.value; } },
    FieldDefinition: (node) => {
      if (parent === 'QueryRoot' && !hasNewQueries && (node.name.value === 'bulkOperation' || node.name.value === 'bulkOperations')) return null;
      if (parent === 'QueryRoot' && !hasNewQueries && node.name.value === 'currentBulkOperation') return { ...node, directives: [] };
      if (parent === 'Mutation' && node.name.value === 'bulkOperationRunQuery') {
        const args = (node.arguments ?? [])
          .filter((arg) => arg.name.value !== 'groupObjects' || hasGroupObjects)
          .map((arg) =>
            arg.name.value === 'groupObjects' && !hasNewQueries ? { ...arg, defaultValue: { kind: Kind.BOOLEAN, value: true } as const } : arg,
          );
        return { ...node, arguments: args };
      }
      return undefined;
    },
  });
}

/** Builds the schema from explicit SDL documents (the store half may be a stand-in in tests). */
export function buildSandboxSchema(apiVersion: string, bulkSdl: DocumentNode, storeSdl: DocumentNode): GraphQLSchema {
  return buildASTSchema(forVersion(combined(bulkSdl, storeSdl), apiVersion));
}

/** The sandbox schema for an API version (`YYYY-MM` or `unstable`), built once per version. */
export function sandboxSchema(apiVersion: string): GraphQLSchema {
  let schema = cache.get(apiVersion);
  if (!schema) {
    schema = buildSandboxSchema(apiVersion, readSdl('bulk.graphql'), readSdl('store.graphql'));
    cache.set(apiVersion, schema);
  }
  return schema;
}
