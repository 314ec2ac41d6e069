// Shopify runs graphql-ruby; graphql-js (used by the sandbox and by our own static checks) words the
// same validation failures differently. This turns graphql-js errors into the shapes Shopify sends,
// as recorded in the conformance captures (message, locations, path, extensions.code and friends),
// so code that reads Shopify's errors meets the same text in tests.
import { GraphQLError, Kind, Source, visit, type ASTNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';

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
}

function operationLabel(op: OperationDefinitionNode): string {
  return op.name ? `${op.operation} ${op.name.value}` : op.operation;
}

/** Maps every field, argument and value node to its graphql-ruby path. */
function placesOf(document: DocumentNode): Map<ASTNode, Place> {
  const places = new Map<ASTNode, Place>();
  const stack: string[] = [];
  const fields: string[] = [];
  let argument: string | undefined;
  visit(document, {
    OperationDefinition: { enter: (node) => { stack.push(operationLabel(node)); places.set(node, { path: [...stack] }); }, leave: () => { stack.pop(); } },
    FragmentDefinition: { enter: (node) => { stack.push(`fragment ${node.name.value}`); }, leave: () => { stack.pop(); } },
    Field: {
      enter: (node) => {
        stack.push(node.alias?.value ?? node.name.value);
        fields.push(node.name.value);
        places.set(node, { path: [...stack], fieldName: node.name.value });
      },
      leave: () => { stack.pop(); fields.pop(); },
    },
    Argument: {
      enter: (node) => {
        argument = node.name.value;
        const fieldName = fields[fields.length - 1];
        places.set(node, { path: [...stack, node.name.value], argumentName: argument, ...(fieldName ? { fieldName } : {}) });
      },
      leave: () => { argument = undefined; },
    },
    enter: (node) => {
      if (argument === undefined || places.has(node)) return;
      const fieldName = fields[fields.length - 1];
      places.set(node, { path: [...stack, argument], argumentName: argument, ...(fieldName ? { fieldName } : {}) });
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
    shape: ([, field, type], place) => ({
      message: `Field must have selections (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has no selections. Did you mean '${field} { ... }'?)`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'selectionMismatch', nodeName: `field '${field}'` },
    }),
  },
  {
    pattern: /^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\./,
    shape: ([, field, type], place) => ({
      message: `Selections can't be made on scalars (field '${field}' returns ${type.replace(/[[\]!]/g, '')} but has selections)`,
      ...(place ? { path: place.path } : {}),
      extensions: { code: 'selectionMismatch', nodeName: `field '${field}'`, typeName: type.replace(/[[\]!]/g, '') },
    }),
  },
];

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
    return {
      message: `Argument '${place.argumentName}' on Field '${place.fieldName}' has an invalid value (${literal}).${expected ? ` Expected type '${expected}'.` : ''}`,
      ...(locations ? { locations } : {}),
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

/** The same Source as graphql-js's parser would see; exported for callers that build locations. */
export function sourceLocation(source: string, position: number): { line: number; column: number } {
  const body = new Source(source).body.slice(0, position);
  const lines = body.split(/\r\n|[\n\r]/g);
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
