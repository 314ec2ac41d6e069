// A state that outlives the store it was written against (another sandbox, a reinstalled app) holds
// operation ids the current store may hand out again for operations of its own. Such a record is
// stale: it is retired with a warning, never an INTERNAL error, and never a reason to cancel what
// the store is running (issue 13, point 2). Both sandboxes here run on the same frozen clock, so the
// second hands out exactly the ids the first did, whatever the ids are made of.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import { runAgainst } from '../support/etl.ts';
import { captureLogs, type CapturedLogs } from '../support/truth.ts';

const ARGS = ['--safety-lag', '0s', '--max-poll-interval', '100ms'];
const SIZE = { orders: 6, customers: 4, products: 4, locations: 2, collections: 2 };

describe('operation records of another store', function () {
  this.timeout(60_000);
  let dir: string;
  const sandboxes: Sandbox[] = [];
  // Frozen per test, not when the file loads: in a full suite that instant is minutes old by the time
  // a test runs, and an operation that old counts as stuck in CREATED past --created-timeout.
  let frozenAt: Date;
  const sandbox = async (faults: Partial<Faults> = {}): Promise<Sandbox> => {
    const s = await startSandbox({ operationDelayMs: 20, size: SIZE, now: () => frozenAt, faults });
    sandboxes.push(s);
    return s;
  };
  beforeEach(() => {
    frozenAt = new Date();
    dir = mkdtempSync(join(tmpdir(), 'etl-stale-'));
  });
  afterEach(async () => {
    await Promise.all(sandboxes.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs every entity against `first`, then closes it: the state now holds that store's ids. */
  async function stateFrom(first: Sandbox): Promise<string[]> {
    const result = await runAgainst(first, dir, ARGS);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const ids = first.operations().map((op) => op.id);
    await first.close();
    return ids;
  }

  const warnings = (logs: CapturedLogs, message: string): Array<Record<string, unknown>> => logs.entries().filter((e) => e.message === message);

  it('a new operation under an id the state holds: the old record is retired with a warning and the run commits every entity', async () => {
    const firstIds = await stateFrom(await sandbox());
    const second = await sandbox();
    const logs = captureLogs();
    const result = await runAgainst(second, dir, ARGS, { logger: logs.logger });
    const secondIds = second.operations().map((op) => op.id);
    expect(secondIds.filter((id) => firstIds.includes(id)), 'the second store hands out the first one\'s ids').to.not.deep.equal([]);

    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    expect(result.shops[0]!.entities.map((e) => e.status)).to.satisfy((s: string[]) => s.every((x) => x === 'committed'));
    const retired = warnings(logs, 'retiring a stale operation record').filter((e) => e.reason === 'the store handed this id out again');
    expect(retired.map((e) => e.operationId).sort()).to.deep.equal(secondIds.filter((id) => firstIds.includes(id)).sort());
    expect(second.requests().filter((r) => r.operationName === 'BulkOperationCancel'), 'nothing cancelled').to.deep.equal([]);
    expect(second.operations().map((op) => op.status)).to.satisfy((s: string[]) => s.every((x) => x === 'COMPLETED'));

    // Every operation record now names the window that submitted it in this store.
    const state = StateDb.open(join(dir, 'state.db'));
    try {
      for (const id of secondIds) {
        const record = state.operations.get(id)!;
        expect(state.windows.partSubmission(record.window_id, record.part)?.operationId, id).to.equal(id);
        expect(state.windows.get(record.window_id).run_id).to.equal(result.shops[0]!.runId);
      }
    } finally {
      state.close();
    }
  });

  it('a crashed run\'s open windows whose operations the store runs another query under, or does not know: retired, never cancelled, extracted again', async () => {
    // Another run of the app holds one slot (it will not block: five are free from 2026-01).
    const store = await sandbox({ foreignOperations: 1 });
    const [foreign] = store.operations();
    const state = StateDb.open(join(dir, 'state.db'));
    const running = (id: string) => ({ id, status: 'RUNNING', errorCode: null, objectCount: 0, rootObjectCount: 0, fileSize: null, url: null, completedAt: null });
    try {
      state.runs.start('run-of-another-store', store.shopDomain);
      for (const [entity, id] of [['orders', foreign!.id], ['customers', 'gid://shopify/BulkOperation/1']] as const) {
        const window = state.windows.create({ runId: 'run-of-another-store', shop: store.shopDomain, entity, since: null, until: new Date(Date.now() - 3600_000).toISOString() });
        state.operations.recordSubmitted(window, entity, store.shopDomain, running(id), 'f'.repeat(64));
      }
    } finally {
      state.close();
    }
    const logs = captureLogs();
    const result = await runAgainst(store, dir, [...ARGS, '--entities', 'orders,customers'], { logger: logs.logger });
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    expect(warnings(logs, 'retiring a stale operation record').map((e) => [e.entity, e.operationId, e.reason])).to.have.deep.members([
      ['orders', foreign!.id, 'the store runs another query under this id'],
      ['customers', 'gid://shopify/BulkOperation/1', 'the store does not know this id'],
    ]);
    expect(store.operations().find((op) => op.id === foreign!.id)?.status, 'the foreign operation runs on').to.equal('RUNNING');
    expect(store.requests().filter((r) => r.operationName === 'BulkOperationCancel')).to.deep.equal([]);
    const after = StateDb.openReadOnly(join(dir, 'state.db'))!;
    try {
      expect(after.statusReport().map((r) => [r.entity, r.last_outcome, r.open_operations])).to.deep.equal([['customers', 'committed', null], ['orders', 'committed', null]]);
    } finally {
      after.close();
    }
  });

  it('a running operation of the store under an id the state holds for a finished window is not ours: never cancelled', async () => {
    const firstIds = await stateFrom(await sandbox());
    // Five operations "of another run" hold every slot, under ids the first store gave this state.
    const second = await sandbox({ foreignOperations: 5 });
    const foreign = second.operations().map((op) => op.id);
    expect(foreign.every((id) => firstIds.includes(id))).to.equal(true);
    let statusWhenCleared: string[] = [];
    const logs = captureLogs((entry) => {
      if (entry.message !== 'no free bulk operation slot; waiting' || statusWhenCleared.length > 0) return;
      statusWhenCleared = ['pending'];
      setTimeout(() => {
        statusWhenCleared = second.operations().filter((op) => op.foreign).map((op) => op.status);
        second.faults.set({ foreignOperations: 0 });
      }, 300);
    });
    const result = await runAgainst(second, dir, [...ARGS, '--entities', 'orders,customers', '--created-timeout', '30s'], { logger: logs.logger });
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    expect(statusWhenCleared, 'the foreign operations were left running').to.deep.equal(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    expect(warnings(logs, 'cancelling an orphaned operation of ours that holds a slot')).to.deep.equal([]);
  });
});
