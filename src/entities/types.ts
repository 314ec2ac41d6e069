// What the rest of the ETL knows of an entity: its queries in queries/, the tables their JSONL turns
// into, and a pure processor from one JSONL record to zero or more table rows. Entity modules do not
// fill it in by hand: defineEntity (define.ts) derives it from the entity's name, sync kind, tables and routes.
import type { ByteSink, JsonObject, LineInfo, RowSink, TableDef } from '../rows/types.ts';

/**
 * One query of an entity and what its lines turn into. Most entities are one query; one whose data
 * needs more connections or deeper nesting than a bulk query allows (docs/shopify-bulk-api.md#bulk-query-rules)
 * is several, on the same root and window (Entity.parts).
 */
export interface QueryPart {
  /** The query's name: its file's (queries/<name>.graphql); the entity's own for its first part. Unique across the registry (the worker threads look parts up by it). */
  name: string;
  /**
   * 'bulk': bulkOperationRunQuery over a connection; 'plain': one ordinary GraphQL request for a single
   * object (shop); 'paged': ordinary requests paging through a connection (`paging`), for data that lies
   * deeper than a bulk query reaches or where bulk operations do not reach (src/sync/paged-part.ts).
   * An entity's first query is of its kind.
   */
  kind: 'bulk' | 'plain' | 'paged';
  /** A paged query's connection: the field path from the query's root to it (the window's root connection, or payouts under shopifyPaymentsAccount). */
  paging?: readonly string[];
  /** File name under queries/. */
  queryFile: string;
  /**
   * Root field that gets the window's search filter (`query: "updated_at:>='…' AND updated_at:<'…'"`),
   * or null when the entity is a full snapshot every run (no usable filter, or child changes that do
   * not bump the parent's updatedAt).
   */
  incremental: {
    rootField: string;
    /** The search field a window filters on, and the node field it reads (updated_at; processed_at for immutable records; created_at for destroy events). */
    searchField: 'updated_at' | 'processed_at' | 'created_at';
    cursorField: 'updatedAt' | 'processedAt' | 'createdAt';
    /** Shopify offers `<rootField>Count` taking the window's filter: each window's root rows are checked against it (src/sync/counts.ts). */
    counted: boolean;
    /**
     * Shopify counts the whole root (`<rootField>Count` without a filter): an id snapshot can be shown
     * whole against it (src/sync/deletes/snapshot.ts). True wherever `counted` is, and for pages, whose
     * pagesCount takes no filter.
     */
    countedWhole: boolean;
    /** The root takes `sortKey: ID`, which the look-up of a window's id bounds sorts by (src/sync/id-split.ts). */
    sortsById: boolean;
  } | null;
  tables: TableDef[];
  /**
   * The tables whose rows a deleted record leaves in the warehouse, by the __typename of their lines:
   * the root table, and the child tables read through `connections` whose deletion does not move the
   * root's updatedAt (a product's variants). The deletions stage (src/sync/deletes/) keeps the ids of
   * an incremental entity's `tables` and compares them with an id-only snapshot of these connections.
   * None for a plain entity.
   */
  deletes?: { byTypename: Readonly<Record<string, string>>; tables: readonly string[]; connections: readonly string[] };
  /**
   * A further query of a snapshot that reads what only some apps or shops can (one kind of metafield
   * owner): the scopes it needs beyond the entity's, and the feature the shop must have for its data
   * to exist (B2B companies: Shopify Plus). Without them the entity runs its other queries, and the run
   * notes the query left out (src/sync/scope-preflight.ts). (The entity's own `scopes` and `requires`
   * are of all its queries.)
   */
  ownScopes?: readonly string[];
  onlyWith?: ShopFeature;
  /**
   * The `__typename` values process() accepts (any other fails with MALFORMED_JSONL naming it); none
   * for a plain entity. The contract test checks this covers every node type the query's connections
   * can produce.
   */
  typenames: readonly string[];
  /**
   * A child connection whose size its parent's line reports (a discount's codes: codesCount). Shopify
   * can cut a long nested list short in a file that still agrees with its own objectCount, so a parent
   * with fewer child lines than it counts fails the window (CHILDREN_INCOMPLETE, src/sync/counts.ts).
   */
  countedChildren?: CountedChildren;
  /**
   * Turns one JSONL record (a root node, or a child line carrying __parentId) into rows. Pure and
   * synchronous: no I/O, no state across records, no assumption about line order.
   */
  process(record: JsonObject, out: RowSink): void;
  /**
   * The byte path (src/rows/bytes.ts): writes the rows of the JSONL line at bytes[start] (bytes[start,
   * limit) are whole lines, valid UTF-8), fills `line` and returns where the line's text ends (its
   * newline, a CR before one, or `limit`): it finds the line's end as it scans it. Or returns -1 having
   * written nothing, and the line goes to JSON.parse and process(). Gives the same bytes as process()
   * for every line it writes. A plain entity has none.
   */
  transcode?(bytes: Buffer, start: number, limit: number, out: ByteSink, cursorField: string | undefined, line: LineInfo): number;
  /**
   * Made-up JSONL lines in the shape this query's result holds, one per table its lines go to (with
   * their __typename, slashes escaped as Shopify escapes them), every one taken by the byte path:
   * what the workers warm up on while Shopify runs the operation (src/pipeline/warm-up.ts). Only a
   * query with a byte path has them.
   */
  sampleLines?(): string[];
}

export interface Entity extends QueryPart {
  /** Registry key, CLI name (--entities), and state key. */
  name: string;
  /** Access scopes the entity's queries need; without any of them the shop skips the entity (src/sync/plan.ts). */
  scopes: readonly string[];
  /** What the shop must have for the entity's data to exist (src/shopify/features.ts); without it the entity's tables stay empty, with a note. */
  requires?: ShopFeature;
  // As a QueryPart, an entity is its first part, but for `tables`, which lists every part's.
  /**
   * Its queries, first its own: one for most. Several run concurrently on the same window, each as its
   * own bulk operation, and the window commits once every one's files are uploaded (src/sync/bulk-window.ts).
   * Parts write disjoint tables, but for a snapshot's, which may share one (metafields: a query per
   * kind of owner); those parts' results are read one after another, in part order (bulk-window.ts).
   */
  parts: readonly QueryPart[];
}

export interface CountedChildren {
  /** The __typename of the parent's lines, and the dotted path in them of the number of children Shopify counts (a Count's `count`). */
  parent: string;
  count: string;
  /** The __typename of the child lines (their __parentId is the parent's id). */
  child: string;
  /** What the children are, for the error: "codes". */
  what: string;
}

/** What a shop has or not, beyond scopes: Shopify Plus (gift cards), a Shopify Payments account (payouts), a plan that lets apps read its staff (Plus or Advanced). */
export type ShopFeature = 'shopifyPlus' | 'shopifyPayments' | 'staffAccess';
