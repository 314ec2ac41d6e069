// Shopify runs graphql-ruby; graphql-js (used by the sandbox and by our own static checks) words the
// same validation failures differently. This turns graphql-js errors into the shapes Shopify sends,
// as recorded in the conformance captures (message, locations, path, extensions.code and friends),
// so code that reads Shopify's errors meets the same text in tests.
import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';

export interface ShopifyGraphQLError {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

/** Where an AST node sits in graphql-ruby's terms: the "query Name" / field / argument path. */
interface Place {
  path: string[];
  fieldName?: string;
  argumentName?: string;
  /** Where the field holding an argument starts: graphql-ruby reports argument errors there. */
  fieldAt?: { line: number; column: number };
}

function operationLabel(op: OperationDefinitionNode): string {
  return op.name ? `${op.operation} ${op.name.value}` : op.operation;
}

/** Maps every field, argument and value node to its graphql-ruby path. */
function placesOf(document: DocumentNode): Map<ASTNode, Place> {
  const places = new Map<ASTNode, Place>();
  const stack: string[] = [];
  const fields: Array<{ name: string; at?: { line: number; column: number } }> = [];
  let argument: string | undefined;
  const argumentPlace = (name: string): Place => {
    const field = fields[fields.length - 1];
    return { path: [...stack, name], argumentName: name, ...(field ? { fieldName: field.name, ...(field.at ? { fieldAt: field.at } : {}) } : {}) };
  };
  visit(document, {
    OperationDefinition: { enter: (node) => { stack.push(operationLabel(node)); places.set(node, { path: [...stack] }); }, leave: () => { stack.pop(); } },
    FragmentDefinition: { enter: (node) => { stack.push(`fragment ${node.name.value}`); }, leave: () => { stack.pop(); } },
    Field: {
      enter: (node) => {
        stack.push(node.alias?.value ?? node.name.value);
        const start = node.loc?.startToken;
        fields.push({ name: node.name.value, ...(start ? { at: { line: start.line, column: start.column } } : {}) });
        places.set(node, { path: [...stack], fieldName: node.name.value });
      },
      leave: () => { stack.pop(); fields.pop(); },
    },
    Argument: {
      enter: (node) => {
        argument = node.name.value;
        places.set(node, argumentPlace(argument));
      },
      leave: () => { argument = undefined; },
    },
    enter: (node) => {
      if (argument === undefined || places.has(node)) return;
      places.set(node, argumentPlace(argument));
    },
  });
  return places;
}

function locationsOf(error: GraphQLError): Array<{ line: number; column: number }> | undefined {
  return error.locations?.map(({ line, column }) => ({ line, column }));
}

const RULES: Array<{ pattern: RegExp; shape: (m: RegExpMatchArray, place: Place | undefined) => Omit<ShopifyGraphQLError, 'locations'> }> = [
  {
    pattern: /^Cannot query field "([^"]+)" on type "([^"]+)"\./,
    shape: ([, field, type], place) => ({
      message: `Field '${field}' doesn't exist on type '${type}'`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'undefinedField', typeName: type, fieldName: field },
    }),
  },
  {
    pattern: /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"\./,
    shape: ([, arg, field], place) => ({
      message: `Field '${field}' doesn't accept argument '${arg}'`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'argumentNotAccepted', name: field, typeName: 'Field', argumentName: arg },
    }),
  },
  {
    pattern: /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\./,
    shape: ([, field, arg], place) => ({
      message: `Field '${field}' is missing required arguments: ${arg}`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: field, arguments: arg },
    }),
  },
  {
    pattern: /^Variable "\$([^"]+)" is never used(?: in operation "([^"]+)")?\./,
    shape: ([, variable, operation], place) => ({
      message: `Variable $${variable} is declared by ${operation ?? 'anonymous query'} but not used`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'variableNotUsed', variableName: variable },
    }),
  },
  {
    pattern: /^Variable "\$([^"]+)" is not defined(?: by operation "([^"]+)")?\./,
    shape: ([, variable, operation], place) => ({
      message: `Variable $${variable} is used by ${operation ?? 'anonymous query'} but not declared`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'variableNotDefined', variableName: variable },
    }),
  },
  {
    pattern: /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/,
    shape: ([, field, type = ''], place) => ({
      message: `Field must have selections (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has no selections. Did you mean '${field} { ... }'?)`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'selectionMismatch', nodeName: `field '${field}'` },
    }),
  },
  {
    pattern: /^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\./,
    shape: ([, field, type = ''], place) => ({
      message: `Selections can't be made on scalars (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has selections)`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'selectionMismatch', nodeName: `field '${field}'`, typeName: type.replace(/[[\]!]/g, '') },
    }),
  },
];

/**
 * All of a document's validation errors in Shopify's words. graphql-ruby also reports a variable as
 * unused when its only use is an argument the field does not accept (recorded for clientIdentifier);
 * graphql-js counts that use, so those errors are added here.
 */
export function shopifyValidationErrors(errors: readonly GraphQLError[], document: DocumentNode): ShopifyGraphQLError[] {
  const shaped = errors.map((e) => shopifyValidationError(e, document));
  const rejected = new Set<ASTNode>();
  for (const e of errors) if (/^Unknown argument /.test(e.message) && e.nodes?.[0]) rejected.add(e.nodes[0]);
  if (rejected.size === 0) return shaped;
  for (const op of document.definitions) {
    if (op.kind !== Kind.OPERATION_DEFINITION) continue;
    const uses = new Map<string, { total: number; rejected: number }>();
    let inRejected = 0;
    visit(op, {
      Argument: { enter: (node) => { if (rejected.has(node)) inRejected++; }, leave: (node) => { if (rejected.has(node)) inRejected--; } },
      Variable: (node) => {
        const use = uses.get(node.name.value) ?? { total: 0, rejected: 0 };
        use.total++;
        if (inRejected > 0) use.rejected++;
        uses.set(node.name.value, use);
      },
    });
    const label = op.name?.value ?? 'anonymous query';
    for (const definition of op.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      const use = uses.get(name);
      // The definition's own $name counts as one use.
      if (!use || use.total - 1 !== use.rejected || use.rejected === 0) continue;
      const at = op.loc?.startToken;
      shaped.push({
        message: `Variable $${name} is declared by ${label} but not used`,
        ...(at ? { locations: [{ line: at.line, column: at.column }] } : {}),
        path: [operationLabel(op)],
        extensions: { code: 'variableNotUsed', variableName: name },
      });
    }
  }
  return shaped;
}

/**
 * One graphql-js validation error in Shopify's words. Literal values of the wrong type become
 * argumentLiteralsIncompatible (graphql-js has many phrasings for them); anything unrecognised keeps
 * graphql-js's message and gets no code rather than a made-up one.
 */
export function shopifyValidationError(error: GraphQLError, document: DocumentNode): ShopifyGraphQLError {
  const places = placesOf(document);
  const node = error.nodes?.[0];
  const place = node ? places.get(node) : undefined;
  const locations = locationsOf(error);
  for (const rule of RULES) {
    const match = rule.pattern.exec(error.message);
    if (match) {
      const shaped = rule.shape(match, place);
      const located = node?.kind === Kind.VARIABLE_DEFINITION ? operationLocation(document) : locations;
      return { message: shaped.message, ...(located ? { locations: located } : {}), ...(shaped.path ? { path: shaped.path } : {}), ...(shaped.extensions ? { extensions: shaped.extensions } : {}) };
    }
  }
  if (place?.argumentName && place.fieldName) {
    const expected = /(?:Expected type "|in ")([^"]+)"/.exec(error.message)?.[1]?.replace(/[[\]!]/g, '');
    const literal = node && node.kind === Kind.ENUM ? node.value : node && 'value' in node ? String(node.value) : '…';
    const at = place.fieldAt ? [place.fieldAt] : locations;
    return {
      message: `Argument '${place.argumentName}' on Field '${place.fieldName}' has an invalid value (${literal}).${expected ? ` Expected type '${expected}'.` : ''}`,
      ...(at ? { locations: at } : {}),
      path: place.path,
      extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: place.argumentName },
    };
  }
  return { message: error.message, ...(locations ? { locations } : {}), ...(place ? { path: place.path } : {}) };
}

/** graphql-ruby reports an unused variable at the operation (line 1, column 1 in the recording). */
function operationLocation(document: DocumentNode): Array<{ line: number; column: number }> | undefined {
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const loc = op?.loc;
  if (!loc) return undefined;
  return [{ line: loc.startToken.line, column: loc.startToken.column }];
}

/**
 * A graphql-js syntax error in graphql-ruby's parser wording ("syntax error, unexpected end of file",
 * recorded for an empty bulk query). Other tokens are named the way graphql-ruby's Bison parser names
 * them (RCURLY, NAME, ...); that part is inferred, not recorded.
 */
export function rubySyntaxMessage(error: GraphQLError, source: string): { message: string; atEnd: boolean } {
  const position = error.positions?.[0] ?? source.length;
  const rest = source.slice(position);
  if (/^[\s,]*$/.test(rest) || /<EOF>/.test(error.message)) return { message: 'syntax error, unexpected end of file', atEnd: true };
  const char = rest.trimStart()[0] ?? '';
  const names: Record<string, string> = { '{': 'LCURLY', '}': 'RCURLY', '(': 'LPAREN', ')': 'RPAREN', '[': 'LBRACKET', ']': 'RBRACKET', ':': 'COLON', '=': 'EQUALS', '$': 'VAR_SIGN', '@': 'DIR_SIGN', '!': 'BANG', '.': 'ELLIPSIS', '|': 'PIPE', '&': 'AMP' };
  const word = /^[_A-Za-z][_0-9A-Za-z]*/.exec(rest.trimStart())?.[0];
  const token = names[char] ? `${names[char]} ("${char}")` : word ? `IDENTIFIER ("${word}")` : `UNKNOWN_CHAR ("${char}")`;
  return { message: `syntax error, unexpected ${token}`, atEnd: false };
}
