// Counted completeness: a bulk file can agree with its own objectCount and still lack records
// Shopify's search index did not hand the operation. So for an incremental window the store is asked,
// by an ordinary request, how many records the window's filter matches (`<rootField>Count`, e.g.
// ordersCount) when the operation starts and when it ends, and the root rows written must reach the
// smaller of the two: a record can leave the window while the operation runs (an update moves its
// updated_at past the window's end, a delete removes it), never enter a window that lies in the past.
// A count that is not exact (AT_LEAST) or that could not be read is recorded as such and compares
// nothing: it cannot prove a hole (docs/design.md#counted-completeness).
import type { Entity, QueryPart } from '../entities/types.ts';
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import type { CountCheck, StoreCount } from '../load/manifest.ts';
import type { ShortChildren } from '../pipeline/process.ts';
import type { Logger } from '../report/log.ts';
import type { ShopifyClient } from '../shopify/client.ts';

export interface CountDeps {
  client: Pick<ShopifyClient, 'request'>;
  logger: Logger;
}

/**
 * The count request for an incremental root: its root field's `Count` sibling (orders → ordersCount),
 * all of it (`limit: null`), of a window's search filter or, `whole`, of the whole root without one
 * (which every count takes: pagesCount takes nothing else).
 */
export function countDocument(rootField: string, whole = false): string {
  if (whole) return `query WholeCount { count: ${rootField}Count(limit: null) { count precision } }`;
  return `query WindowCount($query: String) { count: ${rootField}Count(query: $query, limit: null) { count precision } }`;
}

/** Reads the store's count for the window's search filter (null: the whole root); a failed request is recorded by its code. */
export async function readCount(deps: CountDeps, entity: Entity, filter: string | null): Promise<StoreCount> {
  const rootField = entity.incremental?.rootField;
  if (!rootField) throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not incremental: it has no count to read`);
  try {
    type Answer = { count: { count: number; precision: string } | null };
    const data = filter === null
      ? await deps.client.request<Answer>(countDocument(rootField, true))
      : await deps.client.request<Answer>(countDocument(rootField), { query: filter });
    const { count, precision } = data.count ?? { count: NaN, precision: '' };
    if (!Number.isSafeInteger(count) || count < 0 || (precision !== 'EXACT' && precision !== 'AT_LEAST')) {
      return { error: ErrorCodes.GRAPHQL_ERROR };
    }
    return { count, precision };
  } catch (err) {
    // A stopped run stops here too; anything else only leaves this count unread.
    if (isEtlError(err, ErrorCodes.INTERRUPTED) || (err as Error)?.name === 'AbortError') throw err;
    const code = err instanceof EtlError ? err.code : ErrorCodes.INTERNAL;
    deps.logger.warn(`${entity.name}: could not read the store's count for a window; it is recorded as unread and the window is not checked against it`, { code, filter });
    return { error: code };
  }
}

/** The check of one window: both counts, the root rows written and whether they cover the smaller count. */
export function checkCounts(atStart: StoreCount, atEnd: StoreCount, rootRows: number): CountCheck {
  const exact = [atStart, atEnd].flatMap((c) => ('count' in c && c.precision === 'EXACT' ? [c.count] : []));
  const covered = exact.length === 2 ? rootRows >= Math.min(...exact) : null;
  return { atStart, atEnd, rootRows, covered };
}

/** A window whose rows fall short of the store's count: extracted again (COUNT_SHORTFALL, src/errors/policy.ts). */
export function shortfall(entity: Entity, operationId: string, check: CountCheck): EtlError {
  const counts = [check.atStart, check.atEnd].map((c) => ('count' in c ? c.count : null));
  const least = Math.min(...counts.filter((c): c is number => c !== null));
  return new EtlError(
    ErrorCodes.COUNT_SHORTFALL,
    `${entity.name}: operation ${operationId} gave ${check.rootRows} records but the store counts at least ${least} for the window (${counts[0]} when it started, ${counts[1]} when it ended); nothing from this window is committed`,
    { details: { operationId, rootRows: check.rootRows, countAtStart: counts[0], countAtEnd: counts[1] } },
  );
}

/**
 * A window in which a parent's line counts more children than came (a discount's codesCount against
 * its code lines): Shopify cut the nested list short, which the file's own objectCount cannot show.
 * Extracted again (CHILDREN_INCOMPLETE, src/errors/policy.ts).
 */
export function childrenShortfall(part: QueryPart, operationId: string, short: readonly ShortChildren[]): EtlError {
  const what = part.countedChildren?.what ?? 'children';
  const [first] = short;
  const more = short.length > 1 ? ` (and ${short.length - 1} more ${short.length > 2 ? 'parents' : 'parent'} short of ${what})` : '';
  return new EtlError(
    ErrorCodes.CHILDREN_INCOMPLETE,
    `${part.name}: operation ${operationId} gave ${first!.read} of the ${first!.counted} ${what} Shopify counts for ${first!.parent}${more}; nothing from this window is committed`,
    { details: { operationId, short: short.slice(0, 10) } },
  );
}
