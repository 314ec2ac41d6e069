// What the rest of the ETL knows of an entity: one query in queries/, the tables its JSONL turns into,
// and a pure processor from one JSONL record to zero or more table rows. Entity modules do not fill it
// in by hand: defineEntity (define.ts) derives it from the entity's name, sync kind, tables and routes.
import type { ByteSink, JsonObject, LineInfo, RowSink, TableDef } from '../rows/types.ts';

export interface Entity {
  /** Registry key, CLI name (--entities), and state key. */
  name: string;
  /** 'bulk': bulkOperationRunQuery over a connection; 'plain': one ordinary GraphQL request for a single object (shop). */
  kind: 'bulk' | 'plain';
  /** Access scopes the entity's query needs; without any of them the shop skips the entity (src/sync/plan.ts). */
  scopes: readonly string[];
  /** File name under queries/. */
  queryFile: string;
  /**
   * Root field that gets the window's search filter (`query: "updated_at:>='…' AND updated_at:<'…'"`),
   * or null when the entity is a full snapshot every run (no usable filter, or child changes that do
   * not bump the parent's updatedAt).
   */
  incremental: { rootField: string; searchField: 'updated_at'; cursorField: 'updatedAt' } | null;
  tables: TableDef[];
  /**
   * The `__typename` values process() accepts (any other fails with MALFORMED_JSONL naming it); none
   * for a plain entity. The contract test checks this covers every node type the query's connections
   * can produce.
   */
  typenames: readonly string[];
  /**
   * Turns one JSONL record (a root node, or a child line carrying __parentId) into rows. Pure and
   * synchronous: no I/O, no state across records, no assumption about line order.
   */
  process(record: JsonObject, out: RowSink): void;
  /**
   * The byte path (src/rows/bytes.ts): writes the rows of the JSONL line bytes[start, end), which must
   * be valid UTF-8, and fills `line`; or returns false having written nothing, and the line goes to
   * JSON.parse and process(). Gives the same bytes as process() for every line it writes. A plain
   * entity has none.
   */
  transcode?(bytes: Buffer, start: number, end: number, out: ByteSink, cursorField: string | undefined, line: LineInfo): boolean;
}
