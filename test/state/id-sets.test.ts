// The id sets the deletions stage compares snapshots with, on a real SQLite state: ids join only at
// their window's commit (and survive a reopen); a new attempt drops what an earlier one recorded; a
// snapshot judges only ids read below its start; marks report a delete once and a return as restored.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDb } from '../../src/state/db.ts';

const SHOP = 's.myshopify.com';
const at = (iso: string): number => Date.parse(iso) / 1000;

describe('state: id sets', () => {
  let dir: string;
  let db: StateDb;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'id-sets-'));
    db = StateDb.open(join(dir, 'state.db'));
    db.runs.start('r1', SHOP);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A committed window of `entity` ending at `until` that wrote `ids` to `table`. */
  function commitWindow(until: string, table: string, ids: number[], entity = 'customers'): number {
    const w = db.windows.create({ runId: 'r1', shop: SHOP, entity, since: null, until });
    db.idSets.addPending(w, table, Float64Array.from(ids));
    db.windows.commit(w);
    return w;
  }

  /** A snapshot window that read `ids`, started at `startedAt`: what it found, as [table id deleted]. */
  function snapshot(startedAt: string, ids: number[]): Array<[string, number, number]> {
    const w = db.windows.create({ runId: 'r1', shop: SHOP, entity: 'customers_ids', since: null, until: startedAt });
    db.idSets.beginSnapshot(w);
    db.idSets.addSnapshotIds(w, ids.map((id) => ({ table: 'customers', id })));
    db.idSets.compare(w, SHOP, ['customers'], at(startedAt));
    const found = db.idSets.marks(w, null, 100).map((m): [string, number, number] => [m.table_name, m.id, m.deleted]);
    db.windows.commit(w);
    return found;
  }

  it('adds a window\'s ids only at its commit, and a new attempt starts with none: a snapshot that holds none finds only those', () => {
    const w = db.windows.create({ runId: 'r1', shop: SHOP, entity: 'customers', since: null, until: '2026-01-01T00:00:00.000Z' });
    db.idSets.addPending(w, 'customers', Float64Array.from([7640000000001, 7640000000014]));
    expect(snapshot('2026-01-02T00:00:00.000Z', []), 'nothing held before the commit').to.deep.equal([]);
    db.idSets.clearPending(w);
    db.idSets.addPending(w, 'customers', Float64Array.from([7640000000027]));
    db.windows.commit(w);
    db.close();
    db = StateDb.open(join(dir, 'state.db'));
    expect(snapshot('2026-01-03T00:00:00.000Z', []), 'the committed attempt\'s ids, after a reopen').to.deep.equal([['customers', 7640000000027, 1]]);
  });

  it('leaves the connection at synchronous = FULL after each batch\'s pending ids (written at NORMAL), in a transaction or not, and the commit takes every call\'s ids', () => {
    const level = (): number => db.db.pragma('synchronous', { simple: true }) as number;
    const FULL = 2;
    const w = db.windows.create({ runId: 'r1', shop: SHOP, entity: 'customers', since: null, until: '2026-01-01T00:00:00.000Z' });
    for (const ids of [[7640000000001], [7640000000014, 7640000000027]]) {
      db.idSets.addPending(w, 'customers', Float64Array.from(ids));
      expect(level()).to.equal(FULL);
    }
    db.db.transaction(() => db.idSets.addPending(w, 'customers', Float64Array.from([7640000000040])))();
    expect(level()).to.equal(FULL);
    db.windows.commit(w);
    expect(snapshot('2026-01-02T00:00:00.000Z', []).map(([, id]) => id), 'every call\'s ids, at the commit').to.deep.equal([7640000000001, 7640000000014, 7640000000027, 7640000000040]);
  });

  it('judges only ids read from windows that ended before the snapshot started: a record created while it ran is not deleted', () => {
    commitWindow('2026-01-01T00:00:00.000Z', 'customers', [1, 2]);
    // Read from a window ending after the snapshot started: possibly created after it, so not in it.
    commitWindow('2026-01-01T00:10:00.000Z', 'customers', [3]);
    expect(snapshot('2026-01-01T00:05:00.000Z', [1])).to.deep.equal([['customers', 2, 1]]);
    // The next snapshot, started after that window, judges id 3; 2 is reported already.
    expect(snapshot('2026-01-01T00:20:00.000Z', [1])).to.deep.equal([['customers', 3, 1]]);
    expect(snapshot('2026-01-01T00:30:00.000Z', [1])).to.deep.equal([]);
    // An id read again keeps the earliest window end it was read below.
    commitWindow('2026-01-01T00:40:00.000Z', 'customers', [1]);
    expect(snapshot('2026-01-01T00:35:00.000Z', [])).to.deep.equal([['customers', 1, 1]]);
  });

  it('reports a deleted id seen again as restored, once; an event\'s mark counts as reported', () => {
    commitWindow('2026-01-01T00:00:00.000Z', 'customers', [1, 2]);
    expect(snapshot('2026-01-02T00:00:00.000Z', [2])).to.deep.equal([['customers', 1, 1]]);
    expect(snapshot('2026-01-03T00:00:00.000Z', [1, 2])).to.deep.equal([['customers', 1, 0]]);
    expect(snapshot('2026-01-04T00:00:00.000Z', [1, 2])).to.deep.equal([]);

    const events = db.windows.create({ runId: 'r1', shop: SHOP, entity: 'deletion_events', since: null, until: '2026-01-05T00:00:00.000Z' });
    db.idSets.mark(events, 'customers', 2, 1);
    expect(db.idSets.reported(SHOP, 'customers', 2)).to.equal(false);
    db.windows.commit(events);
    expect(db.idSets.reported(SHOP, 'customers', 2)).to.equal(true);
    expect(snapshot('2026-01-06T00:00:00.000Z', [1])).to.deep.equal([]);
  });
});
