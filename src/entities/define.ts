// defineEntity: an entity declared once. Its module gives the name, how it is synced, its tables and
// which table each JSONL line's __typename goes to; the query file (queries/<name>.graphql), the root
// field (the name in camelCase), the processor and the byte path all follow from those. An entity
// too big for one bulk query adds further parts, each a query file of its own on the same root, with
// its own tables and routes.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { entityBytes } from '../rows/bytes.ts';
import { Fields } from '../rows/fields.ts';
import type { Table } from '../rows/spec.ts';
import type { JsonObject, RowSink } from '../rows/types.ts';
import type { CountedChildren, Entity, QueryPart, ShopFeature } from './types.ts';

/**
 * 'incremental': a query whose root connection takes the window's updated_at filter, with updatedAt
 * as the cursor. 'snapshot': a query read whole every run (no usable filter, or child changes that do
 * not bump the parent's updatedAt). 'object': one object read with an ordinary query every run (a bulk
 * query needs a connection); its one table's row is the root field's value. An incremental or snapshot
 * entity is a bulk query, unless it says `paged: true`.
 */
export type Sync = 'incremental' | 'snapshot' | 'object';

/** The access scopes an entity needs: a shop that has not granted them all skips it (src/sync/plan.ts, checkScopes). */
interface Scoped {
  /** Handles as Shopify lists them (`read_orders`); a granted `write_…` counts as its `read_…`. */
  scopes: readonly string[];
  /** What the shop must have for the data to exist at all (gift cards: Shopify Plus); a shop without it gets the entity's tables empty, with a note. */
  requires?: ShopFeature;
}

/** What one bulk query's lines turn into. */
interface Routing {
  /** Every table the query's lines write, in the order their files and schemas are listed. */
  tables: readonly Table[];
  /** `__typename` → the table its lines go to (null: the line makes no rows, e.g. a parent that only carries ids). Routing is by __typename, never by line order. */
  routes: Readonly<Record<string, Table | null>>;
  /** A child connection its parent's line counts, checked against the child lines read (QueryPart.countedChildren). */
  countedChildren?: CountedChildren;
}

export type EntitySpec =
  | ({ name: string; sync: 'object'; tables: readonly [Table] } & Scoped)
  | (Routing & Scoped & {
      name: string;
      sync: Exclude<Sync, 'object'>;
      /**
       * Further bulk queries on the same root and window (queries/<query>.graphql), for data past one
       * query's limits: at most 5 connections, nested at most 2 deep (docs/shopify-bulk-api.md#bulk-query-rules).
       * A snapshot's further queries may read other roots, and may write a table another of its queries
       * writes (metafields: one query per kind of owner).
       */
      parts?: ReadonlyArray<Routing & {
        query: string;
        /** The scopes this query needs beyond the entity's, and what the shop must have for its data to exist (a snapshot's only): without them the entity runs its other queries, with a note (QueryPart.ownScopes, onlyWith). */
        ownScopes?: readonly string[];
        onlyWith?: ShopFeature;
        /** Read with ordinary requests a page at a time, through the connection at this path (a snapshot's only): one under an object, which bulk queries do not start from (the shop's metafields). */
        paging?: readonly string[];
      }>;
      /**
       * False for an incremental root Shopify offers no `<root>Count` for (fulfillmentOrders): its
       * windows are not checked against the store's count (src/sync/counts.ts). 'whole' for one whose
       * count takes no filter (pagesCount): its windows are not checked either, its id snapshot is.
       * Default true.
       */
      counted?: false | 'whole';
      /** The cursor of an incremental entity whose records never change after they happen (tender transactions): processedAt, searched as processed_at. Default updatedAt. */
      cursor?: 'processedAt';
      /** False for an incremental root without `sortKey: ID` (tenderTransactions): the id look-up takes its default order. Default true. */
      sortsById?: false;
      /**
       * Child connections (field → table) of the first query whose records can be deleted without the
       * root's updatedAt moving: the id-only snapshot that finds deletes reads their ids too. The root
       * table (the first) is always read.
       */
      deletedQuietly?: Readonly<Record<string, Table>>;
      /** The root connection, when it is not the name in camelCase (order_sales reads orders). */
      root?: string;
      /**
       * Read with ordinary requests, page by page, not a bulk query (src/sync/paged-part.ts): for data
       * nested deeper than a bulk query reaches (order_sales), or a connection bulk operations do not
       * reach at all (payouts, under the shopifyPaymentsAccount object).
       */
      paged?: true;
      /** A paged query's connection: the field path from the query's root to it (payouts: shopifyPaymentsAccount, payouts). Default: the root connection. */
      connection?: readonly string[];
    });

/** `product_metafields` → `productMetafields`. */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function defineEntity(spec: EntitySpec): Entity {
  const { name } = spec;
  const rootField = camel(name);
  const { scopes } = spec;
  const requires = spec.requires ? { requires: spec.requires } : {};
  if (spec.sync === 'object') {
    const [table] = spec.tables;
    const part: QueryPart = {
      name,
      queryFile: `${name}.graphql`,
      tables: [table.def],
      kind: 'plain',
      incremental: null,
      typenames: [],
      process(data, out) {
        table.general.emit(new Fields(data).object(rootField), out);
      },
    };
    return { ...part, scopes, ...requires, parts: [part] };
  }
  const incremental: QueryPart['incremental'] = spec.sync !== 'incremental' ? null : {
    rootField: spec.root ?? rootField, counted: spec.counted === undefined, countedWhole: spec.counted !== false, sortsById: spec.sortsById ?? true,
    ...(spec.cursor === 'processedAt' ? { searchField: 'processed_at', cursorField: 'processedAt' } : { searchField: 'updated_at', cursorField: 'updatedAt' }),
  };
  // A paged entity has no part in the deletions stage: its lines are another entity's children
  // (order_sales), or it is read whole every run (payouts).
  const first = spec.paged ? { ...bulkPart(name, name, incremental, spec), kind: 'paged' as const, paging: spec.connection ?? [spec.root ?? rootField] } : bulkPart(name, name, incremental, spec, spec.deletedQuietly ?? {});
  const more = (spec.parts ?? []).map((p) => ({
    ...bulkPart(name, p.query, incremental, p),
    ...(p.ownScopes ? { ownScopes: p.ownScopes } : {}),
    ...(p.onlyWith ? { onlyWith: p.onlyWith } : {}),
    ...(p.paging ? { kind: 'paged' as const, paging: p.paging } : {}),
  }));
  // A query left out (a scope or feature missing) leaves the others' windows whole only in a snapshot,
  // and only a snapshot's queries may read other roots than its first (a paged one: under an object).
  if (spec.sync !== 'snapshot' && more.some((p) => p.ownScopes || p.onlyWith || p.paging)) throw new EtlError(ErrorCodes.INTERNAL, `${name}: only a snapshot's queries can need scopes or a shop feature of their own, or be paged`);
  if (more.length === 0) return { ...first, scopes, ...requires, parts: [first] };
  const written = [first, ...more].flatMap((p) => p.tables);
  const tables = written.filter((t, i) => written.indexOf(t) === i);
  // The queries of an incremental entity read one root each window, and the views tell its tables
  // apart as root or child of it: one table per query. A snapshot's queries may share a table (one per
  // kind of metafield owner), which is read whole every run whichever query wrote a row.
  const shared = written.find((t, i) => written.findIndex((u) => u.name === t.name) !== i);
  if (shared && spec.sync !== 'snapshot') throw new EtlError(ErrorCodes.INTERNAL, `${name}: table ${shared.name} is written by two of its queries`);
  return { ...first, tables, scopes, ...requires, parts: [first, ...more] };
}

/**
 * One bulk query of entity `entity` (queries/<query>.graphql) and its routing. `quietly`: for the
 * first query only, the child connections its deletes take (EntitySpec.deletedQuietly); the others
 * have no part in the deletions stage.
 */
function bulkPart(entity: string, query: string, incremental: QueryPart['incremental'], spec: Routing, quietly?: Readonly<Record<string, Table>>): QueryPart {
  const routes = Object.entries(spec.routes);
  for (const [typename, t] of routes) {
    if (t !== null && !spec.tables.includes(t)) throw new EtlError(ErrorCodes.INTERNAL, `${query}: ${typename} goes to ${t.def.name}, which is not among its tables`);
  }
  const typenames = routes.map(([typename]) => typename);
  const quiet = Object.entries(quietly ?? {});
  const idTables = [spec.tables[0]!, ...quiet.map(([, t]) => t)];
  const deletes = quietly && {
    byTypename: Object.fromEntries(routes.flatMap(([typename, t]) => (t !== null && idTables.includes(t) ? [[typename, t.def.name]] : []))),
    tables: idTables.map((t) => t.def.name),
    connections: quiet.map(([field]) => field),
  };
  const byName = new Map(routes);
  const counted = spec.countedChildren;
  const countPath = counted?.count.split('.') ?? [];
  // The lines a count is kept of go to process(), which tells the sink; a table without a byte path
  // sends its lines there too; null routes make no rows either way.
  const tallied = (typename: string): boolean => typename === counted?.parent || typename === counted?.child;
  const transcode = routes.some(([, t]) => t?.bytes)
    ? entityBytes(routes.map(([typename, t]) => [typename, tallied(typename) ? noBytePath : t === null ? null : (t.bytes ?? noBytePath)] as const))
    : undefined;
  return {
    name: query,
    queryFile: `${query}.graphql`,
    tables: spec.tables.map((t) => t.def),
    kind: 'bulk',
    incremental,
    typenames,
    ...(deletes && { deletes }),
    ...(counted && { countedChildren: counted }),
    process(record: JsonObject, out: RowSink) {
      const typename = record.__typename;
      const target = typeof typename === 'string' ? byName.get(typename) : undefined;
      if (target === undefined) {
        const what = typeof typename !== 'string' ? 'a record without __typename' : `unknown __typename ${JSON.stringify(typename)}`;
        throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${query}: ${what}; this ${query === entity ? 'entity' : `query of ${entity}`} handles ${typenames.join(', ')}`);
      }
      if (counted && typename === counted.parent) {
        const count = valueAt(record, countPath);
        if (typeof count === 'number') out.childrenCounted?.(String(record.id), count);
      } else if (counted && typename === counted.child) {
        out.childRead?.(String(record.__parentId));
      }
      target?.general.line(record, out);
    },
    ...(transcode && {
      transcode,
      sampleLines: () => routes.flatMap(([typename, t]) => (t?.bytes && !tallied(typename) ? [JSON.stringify({ ...t.sample(), __typename: typename }).replaceAll('/', '\\/')] : [])),
    }),
  };
}

const noBytePath = (): boolean => false;

function valueAt(record: JsonObject, path: readonly string[]): unknown {
  let at: unknown = record;
  for (const field of path) at = at && typeof at === 'object' ? (at as JsonObject)[field] : undefined;
  return at;
}
