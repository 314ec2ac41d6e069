// Splitting a window by id, where splitting by time cannot help: more records share one updated_at
// instant (a bulk price update touching 200k variants) than one bulk operation can read. The parts keep
// the window's time range and add `id:>N AND id:<=M` (windowFilter in entities/queries.ts). The first
// keeps the window's lower id bound and the last its upper one (open on the first split), so the parts
// tile the window's ids exactly whatever ids the look-up below saw.
import type { Entity } from '../entities/types.ts';
import { windowFilter, type IdRange } from '../entities/queries.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import type { WindowRow } from '../state/windows.ts';

/** The lowest and highest id the window's search matches. */
export interface IdBounds {
  lowest: bigint;
  highest: bigint;
}

/** The id range a window row holds (both sides open for a window never split by id). */
export function idRangeOf(row: Pick<WindowRow, 'id_after' | 'id_through'>): IdRange {
  return { after: row.id_after, through: row.id_through };
}

/**
 * Halves a window's id range between the lowest and highest id it matches, each part holding at least
 * one of them. Returns null when it matches fewer than two records: one record cannot be split.
 */
export function splitIds(range: IdRange, bounds: IdBounds | null): [IdRange, IdRange] | null {
  if (bounds === null || bounds.highest <= bounds.lowest) return null;
  // lowest <= mid < highest: the lowest id falls in the first part, the highest in the second.
  const mid = bounds.lowest + (bounds.highest - bounds.lowest) / 2n;
  return [{ after: range.after, through: String(mid) }, { after: String(mid), through: range.through }];
}

/**
 * Looks up the lowest and highest id a window's search matches with one ordinary query (two aliases of
 * the root connection, one record each, sorted by ID: an ordinary query, unlike a bulk one, may sort).
 * Null when it matches nothing.
 */
export async function lookUpIdBounds(client: Pick<ShopifyClient, 'request'>, entity: Entity, row: Pick<WindowRow, 'since' | 'until' | 'id_after' | 'id_through'>): Promise<IdBounds | null> {
  const incremental = entity.incremental;
  if (!incremental || row.until === null) throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} has no time range to split by id`);
  const root = incremental.rootField;
  const query = windowFilter(row.since === null ? null : new Date(row.since), new Date(row.until), idRangeOf(row), incremental.searchField);
  // A root without sortKey takes its default order: bounds that are not the extremes still tile the
  // window's ids (splitIds), the halves are only less even.
  const sort = incremental.sortsById ? 'sortKey: ID, ' : '';
  const document = `query IdBounds($query: String!) {
  lowest: ${root}(first: 1, ${sort}query: $query) { nodes { id } }
  highest: ${root}(first: 1, ${sort}reverse: true, query: $query) { nodes { id } }
}`;
  type Page = { nodes: Array<{ id: string }> };
  const data = await client.request<{ lowest: Page; highest: Page }>(document, { query });
  const lowest = data.lowest.nodes[0]?.id;
  const highest = data.highest.nodes[0]?.id;
  if (lowest === undefined || highest === undefined) return null;
  return { lowest: numericId(lowest), highest: numericId(highest) };
}

/** The number at the end of a global id (`gid://shopify/Order/5612000000123`). */
function numericId(gid: string): bigint {
  const match = /\/([0-9]+)$/.exec(gid);
  if (!match) throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `Shopify answered an id that is not a global id: ${JSON.stringify(gid)}`);
  return BigInt(match[1]!);
}
