// Destroy events: Shopify's events log (`events`, action:destroy) read by created_at windows like any
// incremental entity, each event of a record the warehouse has a table for becoming a deletions row
// (source 'event', deleted_at its time). `deletionEvents` is not read: Shopify deprecated it, and
// `events` reports the same product and collection destroys and more subject types. Every row also
// marks its id deleted in the id sets at the window's commit, so neither the next id snapshot nor a
// later window's lookback reports the record again.
import { deletionsTable } from '../../entities/deletions.ts';
import { entities } from '../../entities/index.ts';
import type { Entity, QueryPart } from '../../entities/types.ts';
import { EtlError, ErrorCodes } from '../../errors/index.ts';
import type { IdSets } from '../../state/id-sets.ts';
import type { BulkWindowDeps } from '../bulk-window.ts';
import type { WindowOutput } from '../staging.ts';
import type { WindowMachine } from '../window.ts';
import { completedOperation, operationLines } from './operation.ts';
import { parseGid, writeDeletions } from './rows.ts';

const EVENTS_QUERY = `query DeletionEvents {
  events {
    edges {
      node {
        __typename
        id
        action
        createdAt
        ... on BasicEvent { subjectId subjectType }
      }
    }
  }
}`;

/** The destroy events of the shop, as a window-by-window entity of the deletions stage (never in the registry). */
const eventsPart: QueryPart = {
  name: 'deletion_events',
  kind: 'bulk',
  queryFile: '',
  // No eventsCount check (it takes no limit and stops at 10,000); no id split (a window is split by time only).
  incremental: { rootField: 'events', searchField: 'created_at', cursorField: 'createdAt', counted: false, countedWhole: false, sortsById: false },
  tables: [deletionsTable.def],
  typenames: ['BasicEvent', 'CommentEvent'],
  process() {
    throw new EtlError(ErrorCodes.INTERNAL, 'deletion_events lines are read by the deletions stage, not by a processor');
  },
};
export const deletionEventsEntity: Entity = { ...eventsPart, scopes: [], parts: [eventsPart] };

/**
 * The output table a deleted record's rows are in, by its GID's type: the tables of the registry that
 * hold such records (a root table, or a child table an id snapshot reads, Entity.deletes). A type
 * without one (comments, discounts) has nothing to delete.
 */
const TABLE_OF_TYPE: ReadonlyMap<string, string> = new Map(entities.flatMap((e) => Object.entries(e.deletes?.byTypename ?? {})));

/**
 * The subjects Shopify's events log names (EventSubjectType, Admin API 2026-10): only records of these
 * types leave a destroy event. Fulfillment orders and tender transactions are not among them.
 */
export const EVENT_SUBJECT_TYPES: ReadonlySet<string> = new Set([
  'ARTICLE', 'BLOG', 'COLLECTION', 'COMMENT', 'COMPANY', 'COMPANY_LOCATION', 'CUSTOMER', 'DISCOUNT_AUTOMATIC_BXGY', 'DISCOUNT_AUTOMATIC_NODE',
  'DISCOUNT_CODE_NODE', 'DISCOUNT_NODE', 'DRAFT_ORDER', 'INVENTORY_TRANSFER', 'ORDER', 'PAGE', 'PRICE_RULE', 'PRODUCT', 'PRODUCT_VARIANT',
]);

/** Whether Shopify's events log reports the destroy of an entity's root records (DraftOrder → DRAFT_ORDER). */
export function reportsDestroys(entity: Entity): boolean {
  const deletes = entity.deletes;
  const root = deletes && Object.entries(deletes.byTypename).find(([, table]) => table === deletes.tables[0])?.[0];
  return root !== undefined && EVENT_SUBJECT_TYPES.has(root.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
}

/** `action:destroy AND created_at:>='…' AND created_at:<'…'` (quoted: unquoted, Shopify ignores the time part). */
export function eventsFilter(since: string | null, until: string): string {
  const at = (iso: string): string => new Date(iso).toISOString().replace('.000Z', 'Z');
  return ['action:destroy', ...(since === null ? [] : [`created_at:>='${at(since)}'`]), `created_at:<'${at(until)}'`].join(' AND ');
}

export interface EventsWindowDeps extends Pick<BulkWindowDeps, 'operations' | 'slots' | 'staging' | 'meta' | 'gzipLevel' | 'retryBudgetMs'> {
  ids: Pick<IdSets, 'mark' | 'reported'>;
}

/** The destroy events query of a window. */
export function eventsQuery(since: string | null, until: string): string {
  return EVENTS_QUERY.replace('events {', `events(query: ${JSON.stringify(eventsFilter(since, until))}) {`);
}

export async function extractEventsWindow(deps: EventsWindowDeps, window: WindowMachine): Promise<WindowOutput> {
  const op = await completedOperation(deps, window, eventsQuery(window.row.since, window.row.until!));
  const detectedAt = op.completedAt ?? new Date().toISOString();
  return writeDeletions(deps, deletionEventsEntity, window, op, detectedAt, async (out) => {
    let lines = 0;
    let maxCursor: string | null = null;
    for await (const event of operationLines(deps, window.entity, op)) {
      lines++;
      const createdAt = typeof event.createdAt === 'string' ? event.createdAt : null;
      if (createdAt !== null && (maxCursor === null || Date.parse(createdAt) > Date.parse(maxCursor))) maxCursor = createdAt;
      const subject = parseGid(event.subjectId);
      const table = subject && TABLE_OF_TYPE.get(subject.type);
      // Read again by a later window's lookback, a delete already reported is not reported twice.
      if (event.action !== 'destroy' || !subject || !table || deps.ids.reported(deps.meta.shop, table, subject.id)) continue;
      deps.ids.mark(window.id, table, subject.id, 1);
      await out.add({ table, id: event.subjectId as string, deletedAt: createdAt, detectedAt, detectedWindow: null, source: 'event', restored: false });
    }
    return { lines, rootLines: lines, maxCursor };
  });
}
