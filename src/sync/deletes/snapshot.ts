// The id snapshot of an incremental entity: one bulk operation reading only the ids its tables hold
// in the store (ids-query.ts), compared with the ids the warehouse holds (the id sets, src/state/
// id-sets.ts). A held id the store no longer has is a deletion (source 'snapshot', deleted_at null);
// an id reported deleted that the store has again is restored. Nothing is judged from an operation
// that did not complete whole: any failure, partial data, a file shorter or longer than objectCount, or
// a missing scope stops the window before the comparison, and the next complete snapshot finds what
// this one would have (SNAPSHOT_INCOMPLETE, or ACCESS_DENIED as it is). A file can agree with its own
// objectCount and still lack records Shopify's search index did not hand the operation, so the root's
// ids must also reach the store's count of the whole root, read as the operation starts and once it
// ended (src/sync/counts.ts, the windows' own check); a count not read exactly proves nothing, and the
// snapshot is then not judged either. A root without a count has no snapshot (stage.ts snapshotted).
import { deletionsTable } from '../../entities/deletions.ts';
import type { Entity, QueryPart } from '../../entities/types.ts';
import { EtlError, ErrorCodes, isEtlError, policyOf } from '../../errors/index.ts';
import type { StoreCount } from '../../load/manifest.ts';
import type { BulkOperation } from '../../shopify/operation.ts';
import type { IdSets } from '../../state/id-sets.ts';
import { checkCounts, readCount, shortfall, type CountDeps } from '../counts.ts';
import type { WindowOutput } from '../staging.ts';
import type { WindowMachine } from '../window.ts';
import type { EventsWindowDeps } from './events.ts';
import { idsQuery } from './ids-query.ts';
import { completedOperation, operationLines } from './operation.ts';
import { parseGid, writeDeletions } from './rows.ts';

/** Ids loaded into the comparison table per transaction, and findings read back per page. */
const ID_BATCH = 10_000;
const MARKS_PAGE = 5000;

/** The snapshot's entity in the state and the logs: `<entity>_ids`. */
export function snapshotEntity(of: Entity): Entity {
  const part: QueryPart = {
    name: `${of.name}_ids`,
    kind: 'bulk',
    queryFile: '',
    incremental: null,
    tables: [deletionsTable.def],
    typenames: Object.keys(of.deletes?.byTypename ?? {}),
    process() {
      throw new EtlError(ErrorCodes.INTERNAL, `${of.name}_ids lines are read by the deletions stage, not by a processor`);
    },
  };
  // The entity's own scopes: its ids are read from its root.
  return { ...part, scopes: of.scopes, parts: [part] };
}

export interface SnapshotWindowDeps extends Omit<EventsWindowDeps, 'ids'> {
  counts: CountDeps;
  ids: Pick<IdSets, 'beginSnapshot' | 'addSnapshotIds' | 'compare' | 'marks'>;
  /**
   * Runs the comparison and the writing of its rows one window at a time: every snapshot writes the
   * deletions table, and parts of one table are numbered as windows open them.
   */
  oneAtATime: <T>(write: () => Promise<T>) => Promise<T>;
}

export async function extractSnapshotWindow(deps: SnapshotWindowDeps, of: Entity, window: WindowMachine): Promise<WindowOutput> {
  const read: { op?: BulkOperation } = {};
  try {
    return await snapshot(deps, of, window, read);
  } catch (err) {
    // A result not read whole (the policy table's notWhole) becomes SNAPSHOT_INCOMPLETE: resubmitted, never
    // split, as a snapshot is read whole. Anything else (a stop, a busy slot, a missing scope, a query
    // refused) keeps its own code and policy.
    if (!isEtlError(err) || !policyOf(err.code).notWhole) throw err;
    // A completed operation whose file could not be read whole is not adopted again: the retry submits anew.
    if (read.op) deps.operations.state.operations.retire(read.op.id);
    const logged = err.code === ErrorCodes.SNAPSHOT_INCOMPLETE ? err : new EtlError(ErrorCodes.SNAPSHOT_INCOMPLETE, `${window.entity}: the id snapshot did not complete whole, so no deletion is judged from it (${err.code}: ${err.message})`, { cause: err, details: err.details });
    deps.operations.logger.warn(logged.message, { code: logged.code, cause: err.code, windowId: window.id });
    throw logged;
  }
}

async function snapshot(deps: SnapshotWindowDeps, of: Entity, window: WindowMachine, read: { op?: BulkOperation }): Promise<WindowOutput> {
  const byTypename = of.deletes!.byTypename;
  // The whole root's count (no filter), as the operation starts and once it ended.
  const count = (): Promise<StoreCount> => {
    const reading = readCount(deps.counts, of, null);
    reading.catch(() => undefined); // awaited only after the operation: a stopped run must not leave it unhandled before then
    return reading;
  };
  let atStart: Promise<StoreCount> | null = null;
  const op = await completedOperation(deps, window, idsQuery(of), () => { atStart = count(); });
  read.op = op;
  deps.ids.beginSnapshot(window.id);
  const rootTable = of.deletes!.tables[0];
  let lines = 0;
  let roots = 0;
  let batch: Array<{ table: string; id: number }> = [];
  for await (const line of operationLines(deps, window.entity, op)) {
    lines++;
    const table = typeof line.__typename === 'string' ? byTypename[line.__typename] : undefined;
    const gid = parseGid(line.id);
    if (!table || !gid) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${window.entity}: line ${lines} is not an id of ${of.deletes!.tables.join(' or ')}`, { details: { operationId: op.id, line: lines } });
    if (table === rootTable) roots++;
    batch.push({ table, id: gid.id });
    if (batch.length >= ID_BATCH) {
      deps.ids.addSnapshotIds(window.id, batch);
      batch = [];
    }
  }
  deps.ids.addSnapshotIds(window.id, batch);
  const check = checkCounts(await (atStart ?? count()), await count(), roots);
  if (check.covered === false) throw shortfall(of, op.id, check);
  if (check.covered === null) {
    throw new EtlError(ErrorCodes.SNAPSHOT_INCOMPLETE, `${window.entity}: the store's count of ${of.incremental!.rootField} was not read exactly, so the id snapshot cannot be shown whole and no deletion is judged from it`, { details: { operationId: op.id, countAtStart: check.atStart, countAtEnd: check.atEnd } });
  }
  return deps.oneAtATime(() => compareAndWrite(deps, of, window, op, lines));
}

async function compareAndWrite(deps: SnapshotWindowDeps, of: Entity, window: WindowMachine, op: BulkOperation, lines: number): Promise<WindowOutput> {
  const byTypename = of.deletes!.byTypename;
  const detectedAt = op.completedAt ?? new Date().toISOString();
  // Compared as of the operation's start: an id read from a window ending after it may be a record
  // created while the snapshot ran, which it need not hold.
  const startedAt = Math.floor(Date.parse(op.createdAt) / 1000);
  const detectedWindow = `${op.createdAt}/${detectedAt}`;
  const types = new Map(Object.entries(byTypename).map(([typename, table]) => [table, typename]));
  return writeDeletions(deps, snapshotEntity(of), window, op, detectedAt, async (out) => {
    const found = deps.ids.compare(window.id, deps.meta.shop, of.deletes!.tables, startedAt);
    for (let page = deps.ids.marks(window.id, null, MARKS_PAGE); page.length > 0; ) {
      for (const m of page) {
        const id = `gid://shopify/${types.get(m.table_name)}/${m.id}`;
        await out.add({ table: m.table_name, id, deletedAt: null, detectedAt, detectedWindow, source: 'snapshot', restored: m.deleted === 0 });
      }
      const last = page[page.length - 1]!;
      page = deps.ids.marks(window.id, { table: last.table_name, id: last.id }, MARKS_PAGE);
    }
    deps.operations.logger.info('id snapshot compared', { entity: window.entity, ids: lines, deleted: found.deleted, restored: found.restored });
    return { lines, rootLines: op.rootObjectCount, maxCursor: null };
  });
}
