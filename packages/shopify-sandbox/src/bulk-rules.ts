// Shopify's rules for the query inside bulkOperationRunQuery, with the exact userError messages
// recorded from Shopify (docs/shopify-bulk-api.md#bulk-query-rules at the repository root). Pure: the
// sandbox answers bulkOperationRunQuery with it, and the ETL's tests hold its queries/ to it, so both
// meet Shopify's words.
//
// Order of checks (what Shopify reports when several rules fail is only partly recorded):
//   1. size (65,535 bytes), alone;  2. syntax, alone;  3. operation type, alone;
//   4. validation against the schema, alone: one userError per GraphQL error, worded like Shopify's
//      top-level errors and prefixed "Invalid bulk query: " like the syntax error (our choice: Shopify's
//      own answer for a query that does not validate was not recorded);
//   5. the structural rules, all reported together in this order: top-level node/nodes, at least one
//      connection (recorded together with the node error, in that order), at most 5 connections,
//      nesting depth, edges>node instead of nodes, parent id, connection inside a list.
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { rubySyntaxMessage, shopifyValidationError } from './graphql-messages.ts';

export interface BulkQueryError {
  field: string[] | null;
  message: string;
  code: 'INVALID';
}

export const MAX_BULK_QUERY_BYTES = 65535;
export const MAX_CONNECTIONS = 5;
export const MAX_CONNECTION_DEPTH = 2;

export const BULK_MESSAGES = {
  tooLarge: (bytes: number) => `Query is too large (${bytes} bytes; maximum is ${MAX_BULK_QUERY_BYTES} bytes)`,
  syntax: (detail: string) => `Invalid bulk query: ${detail}`,
  operationType: 'Invalid operation type. Only `query` operations are supported.',
  topLevelNode: (field: string) => `Bulk queries cannot contain a top level \`${field}\` field.`,
  noConnection: 'Bulk queries must contain at least one connection.',
  tooManyConnections: `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`,
  tooDeep: `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_CONNECTION_DEPTH}.`,
  nodesNotEdges: (names: string[]) =>
    `All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '${names[0]} { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: ${names.map((n) => `'${n}'`).join(', ')}.`,
  parentId: (names: string[]) =>
    `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': ${names.join(', ')}.`,
  connectionInList: 'Queries that contain a connection field within a list field are not currently supported.',
} as const;

const invalid = (message: string): BulkQueryError => ({ field: ['query'], message, code: 'INVALID' });

/** Every userError Shopify would return for `query`; empty when the bulk query is accepted. */
export function bulkQueryErrors(schema: GraphQLSchema, query: string): BulkQueryError[] {
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes > MAX_BULK_QUERY_BYTES) return [invalid(BULK_MESSAGES.tooLarge(bytes))];

  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: false });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return [invalid(BULK_MESSAGES.syntax(rubySyntaxMessage(err, query).message))];
  }

  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.some((op) => op.operation !== 'query')) return [invalid(BULK_MESSAGES.operationType)];

  const schemaErrors = validate(schema, document);
  if (schemaErrors.length > 0) {
    return schemaErrors.map((e) => invalid(BULK_MESSAGES.syntax(shopifyValidationError(e, document).message)));
  }

  const operation = operations[0];
  const queryType = schema.getQueryType();
  if (!operation || !queryType) return [invalid(BULK_MESSAGES.noConnection)];
  return structuralErrors(schema, document, operation.selectionSet, queryType);
}

/** What a walk over the selection found; turned into messages at the end, each at most once. */
interface Findings {
  topLevelNodeFields: string[];
  connections: number;
  tooDeep: boolean;
  nodesSelected: string[];
  parentsWithoutId: string[];
  connectionInList: boolean;
}

interface WalkState {
  depth: number; // connections on the path, including the one whose node we are in
  inList: boolean; // below a list field since the nearest connection node
}

/** A connection is an object type named ...Connection that has `edges`; decided from the schema. */
export function isConnectionType(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

function structuralErrors(schema: GraphQLSchema, document: DocumentNode, root: SelectionSetNode, queryType: GraphQLNamedType): BulkQueryError[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const found: Findings = { topLevelNodeFields: [], connections: 0, tooDeep: false, nodesSelected: [], parentsWithoutId: [], connectionInList: false };

  /** The fields a selection set selects on `parent`, through inline fragments and fragment spreads. */
  const fieldsOf = (set: SelectionSetNode, parent: GraphQLNamedType): Array<{ node: FieldNode; on: GraphQLNamedType }> => {
    const out: Array<{ node: FieldNode; on: GraphQLNamedType }> = [];
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) out.push({ node: sel, on: parent });
      else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(sel.selectionSet, sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? parent) : parent));
      else {
        const fragment = fragments.get(sel.name.value);
        if (fragment) out.push(...fieldsOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? parent));
      }
    }
    return out;
  };

  const fieldDef = (on: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(on) || isInterfaceType(on) ? on.getFields()[name] : undefined;

  /** Walks a node (a connection's node, or the root) and the plain objects and lists under it. */
  const walkObject = (set: SelectionSetNode, on: GraphQLNamedType, state: WalkState, owner: { name: string; selectsId: boolean } | null): void => {
    for (const { node, on: parent } of fieldsOf(set, on)) {
      if (node.name.value.startsWith('__')) continue;
      const def = fieldDef(parent, node.name.value);
      if (!def || !node.selectionSet) continue;
      const named = getNamedType(def.type);
      if (isConnectionType(named)) {
        if (owner && !owner.selectsId && !found.parentsWithoutId.includes(owner.name)) found.parentsWithoutId.push(owner.name);
        walkConnection(node, named, state);
      } else {
        walkObject(node.selectionSet, named, { depth: state.depth, inList: state.inList || isListType(getNullableType(def.type)) }, owner);
      }
    }
  };

  const walkConnection = (field: FieldNode, type: GraphQLNamedType, state: WalkState): void => {
    found.connections += 1;
    const depth = state.depth + 1;
    if (depth > MAX_CONNECTION_DEPTH) found.tooDeep = true;
    if (state.inList) found.connectionInList = true;
    const name = field.name.value;
    for (const { node: part } of fieldsOf(field.selectionSet!, type)) {
      const partType = fieldDef(type, part.name.value);
      if (!part.selectionSet || !partType) continue;
      if (part.name.value === 'nodes') {
        if (!found.nodesSelected.includes(name)) found.nodesSelected.push(name);
        walkNode(part.selectionSet, getNamedType(partType.type), name, depth);
      } else if (part.name.value === 'edges') {
        const edgeType = getNamedType(partType.type);
        for (const { node: edgePart } of fieldsOf(part.selectionSet, edgeType)) {
          const nodeDef = fieldDef(edgeType, edgePart.name.value);
          if (edgePart.name.value === 'node' && edgePart.selectionSet && nodeDef) walkNode(edgePart.selectionSet, getNamedType(nodeDef.type), name, depth);
        }
      }
    }
  };

  const walkNode = (set: SelectionSetNode, on: GraphQLNamedType, connection: string, depth: number): void => {
    const selectsId = fieldsOf(set, on).some(({ node, on: parent }) => {
      if (node.name.value !== 'id' || node.alias) return false;
      const def = fieldDef(parent, 'id');
      return def !== undefined && getNamedType(def.type).name === 'ID';
    });
    walkObject(set, on, { depth, inList: false }, { name: connection, selectsId });
  };

  for (const { node } of fieldsOf(root, queryType)) {
    if (node.name.value === 'node' || node.name.value === 'nodes') found.topLevelNodeFields.push(node.name.value);
  }
  walkObject(root, queryType, { depth: 0, inList: false }, null);

  const errors: BulkQueryError[] = [];
  for (const field of new Set(found.topLevelNodeFields)) errors.push(invalid(BULK_MESSAGES.topLevelNode(field)));
  if (found.connections === 0) errors.push(invalid(BULK_MESSAGES.noConnection));
  if (found.connections > MAX_CONNECTIONS) errors.push(invalid(BULK_MESSAGES.tooManyConnections));
  if (found.tooDeep) errors.push(invalid(BULK_MESSAGES.tooDeep));
  if (found.nodesSelected.length > 0) errors.push(invalid(BULK_MESSAGES.nodesNotEdges(found.nodesSelected)));
  if (found.parentsWithoutId.length > 0) errors.push(invalid(BULK_MESSAGES.parentId(found.parentsWithoutId)));
  if (found.connectionInList) errors.push(invalid(BULK_MESSAGES.connectionInList));
  return errors;
}
