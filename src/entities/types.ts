// The shape every entity module fills in. An entity is one query in queries/, the tables its JSONL
// turns into, and a pure processor from one JSONL record to zero or more table rows.
import type { ByteSink, JsonObject, LineInfo, RowSink, TableDef } from '../rows/types.ts';

export interface Entity {
  /** Registry key, CLI name (--entities), and state key. */
  name: string;
  /** 'bulk': bulkOperationRunQuery over a connection; 'plain': one ordinary GraphQL request (shop). */
  kind: 'bulk' | 'plain';
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
   * The `__typename` values process() accepts (any other fails with MALFORMED_JSONL naming it). The
   * contract test checks this covers every node type the query's connections can produce. Every
   * registry entry sets it; optional only so test doubles need not.
   */
  typenames?: readonly string[];
  /**
   * Turns one JSONL record (a root node, or a child line carrying __parentId) into rows. Pure and
   * synchronous: no I/O, no state across records, no assumption about line order.
   */
  process(record: JsonObject, out: RowSink): void;
  /**
   * The byte path (transcode.ts): writes the rows of the JSONL line bytes[start, end), which must be
   * valid UTF-8, and fills `line`; or returns false having written nothing, and the line goes to
   * JSON.parse and process(). Gives the same bytes as process() for every line it writes.
   */
  transcode?(bytes: Buffer, start: number, end: number, out: ByteSink, cursorField: string | undefined, line: LineInfo): boolean;
}
