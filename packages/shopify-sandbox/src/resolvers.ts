// The bulk-operation root fields, as a graphql-js rootValue (each field a function of its arguments
// and the request context). Entity fields come from the store's rootValue alongside these.
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { bulkQueryErrors } from './bulk-rules.ts';
import { listBulkOperations, type CatalogArgs, type SearchExtension } from './catalog.ts';
import type { BulkOperationRecord, BulkOperationType, Operations } from './operations.ts';

export interface RequestContext {
  apiVersion: string;
  schema: GraphQLSchema;
  operations: Operations;
  /** Collected `extensions.search` entries for the response. */
  search: SearchExtension[];
}

/** A gid's resource type, or null when the string is not a global id at all. */
export function gidType(id: string): string | null {
  return /^gid:\/\/[^/\s]+\/([A-Za-z][A-Za-z0-9]*)\/[^/\s]+$/.exec(id)?.[1] ?? null;
}

/** DateTime as Shopify writes it: seconds precision, UTC, trailing Z. */
function dateTime(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 19)}Z` : null;
}

/** A BulkOperation as GraphQL serves it; UnsignedInt64 counters are strings. */
function bulkOperationValue(op: BulkOperationRecord, context: RequestContext): Record<string, unknown> {
  context.operations.markRead(op.id);
  return {
    __typename: 'BulkOperation',
    id: op.id,
    status: op.status,
    type: op.type,
    errorCode: op.errorCode,
    createdAt: dateTime(op.createdAt),
    completedAt: dateTime(op.completedAt),
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize === null ? null : String(op.fileSize),
    url: op.url,
    partialDataUrl: op.partialDataUrl,
    query: op.query,
  };
}

type Resolver = (args: Record<string, unknown>, context: RequestContext) => unknown;

/**
 * The bulk root fields. `entityNode` resolves other gids for node/nodes (the store's objects) when
 * the store offers it; otherwise they read as null.
 */
export function bulkRootValue(entityNode?: (id: string) => unknown): Record<string, Resolver> {
  const value = (op: BulkOperationRecord | null, context: RequestContext) => (op ? bulkOperationValue(op, context) : null);
  const nodeById = (id: string, context: RequestContext): unknown =>
    gidType(id) === 'BulkOperation' ? value(context.operations.get(id), context) : (entityNode?.(id) ?? null);

  return {
    bulkOperation: ({ id }, context) => {
      const wanted = String(id);
      if (gidType(wanted) !== 'BulkOperation') throw new GraphQLError(`Invalid id: ${wanted}`, { extensions: { code: 'RESOURCE_NOT_FOUND' } });
      return value(context.operations.get(wanted), context);
    },
    bulkOperations: (args, context) => {
      const page = listBulkOperations(context.operations.list(), args as CatalogArgs);
      if (page.search) context.search.push(page.search);
      const edges = page.items.map(({ cursor, node }) => ({ cursor, node: bulkOperationValue(node, context) }));
      return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
    },
    currentBulkOperation: ({ type }, context) => value(context.operations.current((type as BulkOperationType | undefined) ?? 'QUERY'), context),
    node: ({ id }, context) => nodeById(String(id), context),
    nodes: ({ ids }, context) => (ids as string[]).map((id) => nodeById(id, context)),
    bulkOperationRunQuery: ({ query, groupObjects }, context) => {
      const text = String(query);
      const userErrors = bulkQueryErrors(context.schema, text);
      if (userErrors.length > 0) return { bulkOperation: null, userErrors };
      // The schema supplies the version's default from 2025-07. Before that there was no flag, and its
      // introduction defaulted to true to keep the old grouped output, so older versions group.
      const grouped = typeof groupObjects === 'boolean' ? groupObjects : true;
      const { operation, userErrors: limits } = context.operations.submit(text, parse(text), grouped, context.apiVersion);
      return { bulkOperation: value(operation, context), userErrors: limits };
    },
    bulkOperationCancel: ({ id }, context) => {
      const { operation, userErrors } = context.operations.cancel(String(id));
      return { bulkOperation: value(operation, context), userErrors };
    },
  };
}
