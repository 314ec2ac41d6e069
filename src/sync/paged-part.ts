// A paged query (QueryPart kind 'paged'): a connection read with ordinary requests, one page at a time,
// where bulk operations cannot read it: data nested deeper than a bulk query reaches (order_sales:
// orders → agreements → sales is three connections; a bulk query nests two,
// docs/shopify-bulk-api.md#bulk-query-rules), or a connection under an object (payouts, under
// shopifyPaymentsAccount). Each page is turned into lines as a bulk result file has them (one line per
// connection node, a child's carrying __parentId), so the same pipeline writes its rows. A nested
// connection with more nodes than its page is read on from the root node it lies under (`node(id:)`:
// root nodes are Nodes, nested ones need not be, agreements are not), reaching its parent by the
// cursors of the edges before it, one node per level. An inline list whose items hold connections (an
// order's refunds, each with its refund line items: bulk queries refuse those) gives each item a line
// of its own, its connections read on from the item itself, which must therefore be a Node.
import { Kind, parse, print, visit, type ArgumentNode, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { JsonObject } from '../rows/types.ts';
import type { ShopifyClient } from '../shopify/client.ts';

interface Page {
  edges: Array<{ cursor: string; node: JsonObject }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * How to reach a node from the Node it is read on from: the root node it lies under, or the item of
 * an inline list it lies in (a refund in an order's refunds); then each connection on the way, after
 * the edge before it.
 */
export interface Route {
  root: { id: string; typename: string };
  steps: Array<{ field: string; after: string | null }>;
}

type Client = Pick<ShopifyClient, 'request'>;

const isPage = (value: unknown): value is Page =>
  typeof value === 'object' && value !== null && Array.isArray((value as Page).edges) && typeof (value as Page).pageInfo === 'object';

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An inline list whose items hold connections (an order's refunds, each with its refund line items): each item is a node of its own. */
const isNodeList = (value: unknown): value is JsonObject[] =>
  Array.isArray(value) && value.length > 0 && value.every(isObject) && value.some((item) => Object.values(item).some(isPage));

/** The query as the reader sends it: every `edges` selection also reads its cursors, by which a nested page is reached again. */
export function pagedDocument(query: string): DocumentNode {
  return withCursors(parse(query));
}

/** The request for the page after `after` (null: the first) of the connection at `path`. */
export function pageQuery(document: DocumentNode, path: readonly string[], after: string | null): string {
  const at = path.join('.');
  return print(withArgs(document, (names) => names.join('.') === at, { after }));
}

/**
 * The request for the page after `after` of the connection `field` of the node `route` reaches, from
 * its root by `node(id: $id)`: each step reads the one node after the edge before the one wanted.
 */
export function nextPageQuery(document: DocumentNode, route: Route, field: string, after: string | null): string {
  let inner = selection(document, field, { after });
  for (const step of route.steps.toReversed()) {
    const outer = selection(document, step.field, { after: step.after, first: 1 });
    inner = { ...outer, selectionSet: { kind: Kind.SELECTION_SET, selections: [edgesOf(inner)] } };
  }
  return `query NextPage($id: ID!) { node(id: $id) { ... on ${route.root.typename} { ${print(inner)} } } }`;
}

/**
 * The lines of every node the query (with the window's filter already set) reaches through the
 * connection at `path` (field names from the query's root), as JSONL bytes. Streamed: the lines read
 * so far go out before each further request, so memory holds the page being read at each level and
 * the lines since the last request, never a whole root page with everything nested under it.
 * An object on the way that is null (a shop without a Shopify Payments account) has no lines. An
 * object holding the connection that selects its id (the shop, over its metafields) is its nodes'
 * parent: their lines carry its id as __parentId, as a bulk file's nested connection's do.
 */
export async function* pagedLines(client: Client, query: string, path: readonly string[]): AsyncGenerator<Uint8Array> {
  const document = pagedDocument(query);
  const out: string[] = [];
  for (let after: string | null = null, first = true; first || after !== null; first = false) {
    let root: unknown = await client.request<JsonObject>(pageQuery(document, path, after));
    let holder: unknown = null;
    for (const [i, field] of path.entries()) {
      holder = root;
      root = (root as JsonObject)[field];
      if (root === null && i < path.length - 1) return;
    }
    if (!isPage(root)) throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `the paged query's ${path.join('.')} is not a connection page`);
    const parentId = path.length > 1 && isObject(holder) && typeof holder.id === 'string' ? holder.id : null;
    for (const { node } of root.edges) yield* lines(client, document, node, parentId, itself, out);
    if (out.length > 0) yield drain(out);
    after = root.pageInfo.hasNextPage ? root.pageInfo.endCursor : null;
  }
}

/** The lines gathered since the last request, as bytes; `out` is emptied. */
function drain(out: string[]): Uint8Array {
  const bytes = Buffer.from(`${out.join('\n')}\n`);
  out.length = 0;
  return bytes;
}

/** The id and __typename a node is read on by (`node(id:)`), which it must select when something under it may need reading on. */
function rootOf(node: JsonObject): Route['root'] {
  const { id, __typename: typename } = node;
  if (typeof id !== 'string' || typeof typename !== 'string') throw new EtlError(ErrorCodes.INTERNAL, 'a node with a nested connection must select its id and __typename');
  return { id, typename };
}

/** The route of a node read on from itself: a root node, or an item of an inline list (which has no cursors to reach it by, so it must be a Node). */
const itself = (node: JsonObject): Route => ({ root: rootOf(node), steps: [] });

/**
 * A node's line (into `out`), then the lines of the items of its inline lists that hold connections,
 * and of its nested connections' nodes, every page of them. `route` reaches the node; asked only of
 * a node with something nested.
 */
async function* lines(client: Client, document: DocumentNode, node: JsonObject, parentId: string | null, route: (node: JsonObject) => Route, out: string[]): AsyncGenerator<Uint8Array> {
  const own: JsonObject = {};
  const pages: Array<[string, Page]> = [];
  const items: JsonObject[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (isPage(value)) pages.push([key, value]);
    else if (isNodeList(value)) items.push(...value);
    else own[key] = value;
  }
  if (parentId !== null) own.__parentId = parentId;
  out.push(JSON.stringify(own));
  if (pages.length === 0 && items.length === 0) return;
  const { id } = rootOf(node);
  const here = route(node);
  for (const item of items) yield* lines(client, document, item, id, itself, out);
  for (const [field, first] of pages) {
    for (let page = first, after: string | null = null; ; ) {
      for (const [k, edge] of page.edges.entries()) {
        const before = k === 0 ? after : page.edges[k - 1]!.cursor;
        yield* lines(client, document, edge.node, id, () => ({ root: here.root, steps: [...here.steps, { field, after: before }] }), out);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      // What is read so far goes on before waiting for more.
      if (out.length > 0) yield drain(out);
      page = await nextPage(client, document, here, field, after);
    }
  }
}

/** The page after `after` of the connection `field` of the node `route` reaches. */
async function nextPage(client: Client, document: DocumentNode, route: Route, field: string, after: string | null): Promise<Page> {
  const data = await client.request<{ node: JsonObject | null }>(nextPageQuery(document, route, field, after), { id: route.root.id });
  let at: unknown = data.node;
  for (const step of route.steps) at = (at as Record<string, Page | undefined>)?.[step.field]?.edges[0]?.node;
  const page = (at as Record<string, unknown> | undefined)?.[field];
  if (!isPage(page)) throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `${route.root.typename} ${route.root.id}: its ${field} page after ${String(after)} could not be read`);
  return page;
}

/** `edges { cursor node { __typename id <field> } }`: the one node a step reads, with the connection below it. */
function edgesOf(field: FieldNode): FieldNode {
  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  const leaf = (value: string): FieldNode => ({ kind: Kind.FIELD, name: name(value) });
  const set = (selections: FieldNode[]): SelectionSetNode => ({ kind: Kind.SELECTION_SET, selections });
  return { kind: Kind.FIELD, name: name('edges'), selectionSet: set([leaf('cursor'), { kind: Kind.FIELD, name: name('node'), selectionSet: set([leaf('__typename'), leaf('id'), field]) }]) };
}

/** The query's connection field `field` (its first), with `args` set. */
function selection(document: DocumentNode, field: string, args: { after: string | null; first?: number }): FieldNode {
  let found: FieldNode | undefined;
  visit(withArgs(document, (_, f) => f.name.value === field && f.selectionSet !== undefined, args), {
    Field(f) {
      if (found === undefined && f.name.value === field && f.selectionSet !== undefined) found = f;
    },
  });
  if (!found) throw new EtlError(ErrorCodes.INTERNAL, `the paged query has no connection ${field}`);
  return found;
}

/** The document with `after:` (removed when null) and `first:` set on the fields `which` picks by the names of the fields down to them. */
function withArgs(document: DocumentNode, which: (names: readonly string[], field: FieldNode) => boolean, args: { after: string | null; first?: number }): DocumentNode {
  const names: string[] = [];
  const arg = (key: string, value: ArgumentNode['value']): ArgumentNode => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: key }, value });
  return visit(document, {
    Field: {
      enter(field) {
        names.push(field.name.value);
        if (!which(names, field)) return undefined;
        const set = [...(args.after === null ? [] : [arg('after', { kind: Kind.STRING, value: args.after })]), ...(args.first === undefined ? [] : [arg('first', { kind: Kind.INT, value: String(args.first) })])];
        const kept = (field.arguments ?? []).filter((a) => a.name.value !== 'after' && !(args.first !== undefined && a.name.value === 'first'));
        return { ...field, arguments: [...kept, ...set] };
      },
      leave() {
        names.pop();
      },
    },
  });
}

/** Every `edges` selection also reads its cursors: a nested page is reached again by the cursor of the edge before it. */
function withCursors(document: DocumentNode): DocumentNode {
  return visit(document, {
    Field(field) {
      if (field.name.value !== 'edges' || !field.selectionSet) return undefined;
      if (field.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'cursor')) return undefined;
      return { ...field, selectionSet: { ...field.selectionSet, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'cursor' } }, ...field.selectionSet.selections] } };
    },
  });
}
