// One Admin GraphQL request, answered the way Shopify answers it: parse and validation errors with
// graphql-ruby's wording and no cost (as recorded), variables checked (global ids included), the cost
// bucket charged up front (THROTTLED body without data when it lacks the points), then execution.
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  defaultFieldResolver,
  execute,
  getNamedType,
  getVariableValues,
  isInputObjectType,
  isListType,
  getNullableType,
  parse,
  typeFromAST,
  validate,
  visit,
  TypeInfo,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { rubySyntaxMessage, shopifyValidationErrors, type ShopifyGraphQLError } from './graphql-messages.ts';
import { CostBucket, MAX_QUERY_COST, requestedCost, type CostExtension } from './cost.ts';
import type { FaultController } from './faults.ts';
import type { Operations } from './operations.ts';
import { gidType, type RequestContext } from './resolvers.ts';
import { Connection, connectionPage, type Args } from './store/model.ts';

/** Fields as graphql-js reads them, but a store connection (a child's: orders → agreements) served one page at a time. */
const storeFieldResolver: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) => {
  const value: unknown = defaultFieldResolver(source, args, context, info);
  return value instanceof Connection ? connectionPage(value.nodes, args as Args) : value;
};

export interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface GraphQLAnswer {
  status: number;
  body: unknown;
  operationName?: string;
}

export interface GraphQLDeps {
  schema: GraphQLSchema;
  apiVersion: string;
  rootValue: Record<string, unknown>;
  bucket: CostBucket;
  faults: FaultController;
  operations: Operations;
}

const MISSING_QUERY: GraphQLAnswer = { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };

/** Shopify's field order in an error: message, locations, extensions, path. */
function executionError(error: GraphQLError): ShopifyGraphQLError {
  const code = error.extensions?.code;
  if (typeof code !== 'string') {
    const requestId = randomUUID();
    return {
      message: `Internal error. Looks like something went wrong on our end.\nRequest ID: ${requestId} (include this in support requests).`,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      ...(error.path ? { path: [...error.path] } : {}),
    };
  }
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations.map(({ line, column }) => ({ line, column })) } : {}),
    extensions: { ...error.extensions },
    ...(error.path ? { path: [...error.path] } : {}),
  };
}

/** Literal ID arguments must be global ids: graphql-ruby rejects them while validating. */
function globalIdLiteralErrors(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): ShopifyGraphQLError[] {
  const errors: ShopifyGraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [operation.name ? `${operation.operation} ${operation.name.value}` : operation.operation];
  const fields: FieldNode[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter: (node) => { path.push(node.alias?.value ?? node.name.value); fields.push(node); },
        leave: () => { path.pop(); fields.pop(); },
      },
      StringValue: (node) => {
        const input = typeInfo.getInputType();
        if (input && getNamedType(input).name === 'ID' && gidType(node.value) === null) {
          // Recorded at the field, not at the literal.
          const at = fields.at(-1)?.loc?.startToken;
          const loc = at ? [{ line: at.line, column: at.column }] : undefined;
          const argument = typeInfo.getArgument()?.name;
          errors.push({
            message: `Invalid global id '${node.value}'`,
            ...(loc ? { locations: loc } : {}),
            path: [...path, ...(argument ? [argument] : [])],
            extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' },
          });
        }
      },
    }),
  );
  return errors;
}

/** Global-id problems inside one variable's value, as graphql-ruby lists them. */
function badGlobalIds(type: GraphQLInputType, value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; explanation: string; message: string }>): void {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return;
  if (isListType(nullable)) {
    if (Array.isArray(value)) value.forEach((item, i) => badGlobalIds(nullable.ofType, item, [...path, i], out));
    else badGlobalIds(nullable.ofType, value, path, out);
  } else if (isInputObjectType(nullable) && typeof value === 'object') {
    for (const [name, field] of Object.entries(nullable.getFields())) badGlobalIds(field.type, (value as Record<string, unknown>)[name], [...path, name], out);
  } else if (getNamedType(type).name === 'ID' && typeof value === 'string' && gidType(value) === null) {
    const explanation = `Invalid global id '${value}'`;
    out.push({ path, explanation, message: explanation });
  }
}

function variableErrors(schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: Record<string, unknown>): ShopifyGraphQLError[] {
  const errors: ShopifyGraphQLError[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue;
    const name = definition.variable.name.value;
    const problems: Array<{ path: Array<string | number>; explanation: string; message: string }> = [];
    badGlobalIds(type, inputs[name], [], problems);
    const coerced = getVariableValues(schema, [definition], inputs);
    for (const e of coerced.errors ?? []) {
      const explanation = e.message.includes('; ') ? e.message.slice(e.message.indexOf('; ') + 2) : e.message;
      problems.push({ path: [], explanation, message: explanation });
    }
    if (problems.length === 0) continue;
    const loc = definition.variable.loc;
    errors.push({
      message: `Variable $${name} of type ${String(type)} was provided invalid value`,
      ...(loc ? { locations: [{ line: loc.startToken.line, column: loc.startToken.column }] } : {}),
      extensions: { code: 'INVALID_VARIABLE', value: inputs[name] ?? null, problems },
    });
  }
  return errors;
}

export async function answerGraphQL(body: GraphQLRequestBody, deps: GraphQLDeps): Promise<GraphQLAnswer> {
  const { schema, bucket, faults } = deps;
  if (typeof body.query !== 'string' || body.query.trim() === '') return MISSING_QUERY;
  const requested = typeof body.operationName === 'string' && body.operationName !== '' ? body.operationName : undefined;
  const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};

  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    const at = err.locations?.[0];
    const { message } = rubySyntaxMessage(err, body.query);
    return { status: 200, body: { errors: [{ message: at ? `${message} at [${at.line}, ${at.column}]` : message, ...(at ? { locations: [at] } : {}) }] }, ...(requested ? { operationName: requested } : {}) };
  }

  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = requested ? operations.find((op) => op.name?.value === requested) : operations.length === 1 ? operations[0] : undefined;
  const operationName = requested ?? operation?.name?.value;
  const named = operationName ? { operationName } : {};
  if (!operation) {
    const message = requested ? `No operation named "${requested}"` : 'An operation name is required';
    return { status: 200, body: { errors: [{ message }] }, ...named };
  }

  const invalid = shopifyValidationErrors(validate(schema, document), document);
  invalid.push(...globalIdLiteralErrors(schema, document, operation));
  if (invalid.length > 0) return { status: 200, body: { errors: invalid }, ...named };
  const badVariables = variableErrors(schema, operation, variables);
  if (badVariables.length > 0) return { status: 200, body: { errors: badVariables }, ...named };

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const cost = requestedCost(schema, operation, fragments, variables);
  if (cost > MAX_QUERY_COST) {
    const message = `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`;
    return { status: 200, body: { errors: [{ message, extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST, documentation: 'https://shopify.dev/api/usage/rate-limits' } }] }, ...named };
  }
  if (faults.consume('throttled') || !bucket.take(cost)) {
    const extension: CostExtension = { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() };
    return {
      status: 200,
      body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }], extensions: { cost: extension } },
      ...named,
    };
  }

  const context: RequestContext = { apiVersion: deps.apiVersion, schema, operations: deps.operations, search: [] };
  const result = await execute({ schema, document, rootValue: deps.rootValue, contextValue: context, variableValues: variables, operationName: operation.name?.value, fieldResolver: storeFieldResolver });
  // As Shopify does, a query's bucket keeps only its actual cost: the objects the answer holds, at most
  // the requested (a mutation's recorded cost is its requested one).
  const actual = operation.operation === 'query' ? Math.min(cost, objectsIn(result.data)) : cost;
  bucket.refund(cost - actual);
  const extension: CostExtension = { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: bucket.status() };
  const extensions = { cost: extension, ...(context.search.length > 0 ? { search: context.search } : {}) };
  const errors = result.errors?.map(executionError);
  return { status: 200, body: errors ? { errors, data: result.data ?? null, extensions } : { data: result.data, extensions }, ...named };
}

/** The objects an answer holds (every non-null object, at any depth): what a query actually cost, one point each. */
function objectsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + objectsIn(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  return Object.values(value).reduce((n: number, v) => n + objectsIn(v), 1);
}
