// A paged query (QueryPart kind 'paged'): a connection read with ordinary requests, one page at a time,
// where bulk operations cannot read it: data nested deeper than a bulk query reaches (order_sales:
// orders → agreements → sales is three connections; a bulk query nests two,
// docs/shopify-bulk-api.md#bulk-query-rules), or a connection under an object (payouts, under
// shopifyPaymentsAccount). Each page is turned into lines as a bulk result file has them (one line per
// connection node, a child's carrying __parentId), so the same pipeline writes its rows. A nested
// connection with more nodes than its page is read on from the root node it lies under (`node(id:)`:
// root nodes are Nodes, nested ones need not be, agreements are not), reaching its parent by the
// cursors of the edges before it, one node per level.
import { Kind, parse, print, visit, type ArgumentNode, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { JsonObject } from '../rows/types.ts';
import type { ShopifyClient } from '../shopify/client.ts';

interface Page {
  edges: Array<{ cursor: string; node: JsonObject }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** How to reach a node from the root node it lies under: each connection on the way, after the edge before it. */
interface Route {
  root: { id: string; typename: string };
  steps: Array<{ field: string; after: string | null }>;
}

type Client = Pick<ShopifyClient, 'request'>;

const isPage = (value: unknown): value is Page =>
  typeof value === 'object' && value !== null && Array.isArray((value as Page).edges) && typeof (value as Page).pageInfo === 'object';

/**
 * The lines of every node the query (with the window's filter already set) reaches through the
 * connection at `path` (field names from the query's root), a page of it at a time as JSONL bytes.
 * An object on the way that is null (a shop without a Shopify Payments account) has no lines.
 */
export async function* pagedLines(client: Client, query: string, path: readonly string[]): AsyncGenerator<Uint8Array> {
  const document = withCursors(parse(query));
  const at = path.join('.');
  for (let after: string | null = null, first = true; first || after !== null; first = false) {
    const text = print(withArgs(document, (names) => names.join('.') === at, { after }));
    let root: unknown = await client.request<Record<string, unknown>>(text);
    for (const [i, field] of path.entries()) {
      root = (root as Record<string, unknown>)[field];
      if (root === null && i < path.length - 1) return;
    }
    if (!isPage(root)) throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `the paged query's ${at} is not a connection page`);
    const lines: string[] = [];
    for await (const record of flatten(client, document, root, null, null, after)) lines.push(JSON.stringify(record));
    if (lines.length > 0) yield Buffer.from(`${lines.join('\n')}\n`);
    after = root.pageInfo.hasNextPage ? root.pageInfo.endCursor : null;
  }
}

/**
 * Each node of a page as its line, then the lines of its nested connections' nodes, every page of
 * them. `route` reaches the page's parent node (null: the page is the root's); `pageAfter` is the
 * cursor the page was read after.
 */
async function* flatten(client: Client, document: DocumentNode, page: Page, parent: { id: string; route: Route } | null, field: string | null, pageAfter: string | null): AsyncGenerator<JsonObject> {
  for (const [k, { node }] of page.edges.entries()) {
    const own: JsonObject = {};
    const nested: Array<[string, Page]> = [];
    for (const [key, value] of Object.entries(node)) {
      if (isPage(value)) nested.push([key, value]);
      else own[key] = value;
    }
    if (parent !== null) own.__parentId = parent.id;
    yield own;
    if (nested.length === 0) continue;
    const { id, __typename: typename } = node;
    if (typeof id !== 'string' || typeof typename !== 'string') throw new EtlError(ErrorCodes.INTERNAL, 'a node with a nested connection must select its id and __typename');
    const before = k === 0 ? pageAfter : page.edges[k - 1]!.cursor;
    const route: Route = parent === null ? { root: { id, typename }, steps: [] } : { root: parent.route.root, steps: [...parent.route.steps, { field: field!, after: before }] };
    for (const [child, first] of nested) {
      for (let p: Page | null = first, after: string | null = null; p !== null; ) {
        yield* flatten(client, document, p, { id, route }, child, after);
        after = p.pageInfo.endCursor;
        p = p.pageInfo.hasNextPage ? await nextPage(client, document, route, child, after) : null;
      }
    }
  }
}

/** The page after `after` of the connection `field` of the node `route` reaches. */
async function nextPage(client: Client, document: DocumentNode, route: Route, field: string, after: string | null): Promise<Page> {
  let inner = selection(document, field, { after });
  // Wrapped from the inside out: each step reads the one node after the edge before the one wanted.
  for (const step of route.steps.toReversed()) {
    const outer = selection(document, step.field, { after: step.after, first: 1 });
    inner = { ...outer, selectionSet: { kind: Kind.SELECTION_SET, selections: [edgesOf(inner)] } };
  }
  const text = `query NextPage($id: ID!) { node(id: $id) { ... on ${route.root.typename} { ${print(inner)} } } }`;
  const data = await client.request<{ node: JsonObject | null }>(text, { id: route.root.id });
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
