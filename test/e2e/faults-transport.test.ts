// Transport faults on Shopify's GraphQL endpoint: each is retried inside the client's budget (or
// waited out), the run still commits everything, and the wait follows what Shopify said.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import { entityByName } from '../../src/entities/index.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests } from '../support/output.ts';
import { captureLogs, expectNoSecret, expectPublishedEqualsTruth, expectWatermarkCovered, watermarkOf, type CapturedLogs, type RootEntity } from '../support/truth.ts';

const ENTITIES: RootEntity[] = ['orders', 'customers'];
const ARGS = ['--entities', ENTITIES.join(','), '--safety-lag', '0s', '--max-poll-interval', '200ms'];

interface Scenario {
  sandbox: Sandbox;
  dir: string;
  logs: CapturedLogs;
}

/** A sandbox with `faults` armed; `onEntry` sees each log line of the run as it is written. */
async function scenario(faults: Partial<Faults>, onEntry?: (entry: Record<string, unknown>, sandbox: Sandbox) => void): Promise<Scenario> {
  const sandbox = await startSandbox({ operationDelayMs: 30, size: { orders: 40, customers: 20, products: 8 } });
  sandbox.faults.set(faults);
  return { sandbox, dir: mkdtempSync(join(tmpdir(), 'etl-faults-')), logs: captureLogs((entry) => onEntry?.(entry, sandbox)) };
}

async function dispose(s: Scenario): Promise<void> {
  await s.sandbox.close();
  rmSync(s.dir, { recursive: true, force: true });
}

/** Runs the ETL; expects it to commit everything, publish the store's truth, and leak no secret. */
async function runClean(s: Scenario, args: string[] = []): Promise<void> {
  const result = await runAgainst(s.sandbox, s.dir, [...ARGS, ...args], { logger: s.logs.logger });
  expectNoSecret([s.sandbox.token], s.logs.text(), JSON.stringify(result));
  expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
  await expectPublishedEqualsTruth(s.sandbox, s.dir, ENTITIES);
  await expectWatermarkCovered(s.sandbox, s.dir, ENTITIES);
}

const retries = (s: Scenario): Array<Record<string, unknown>> => s.logs.entries().filter((e) => e.message === 'Shopify request failed; retrying');
const statuses = (s: Scenario, status: number): number => s.sandbox.requests().filter((r) => r.status === status).length;

describe('transport faults are retried inside the budget and lose nothing', function () {
  this.timeout(60_000);
  const open: Scenario[] = [];
  const track = async (s: Promise<Scenario>): Promise<Scenario> => {
    const ready = await s;
    open.push(ready);
    return ready;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map(dispose));
  });

  it('THROTTLED bodies: waits for the cost bucket to refill, then goes on', async () => {
    const s = await track(scenario({ throttled: 3 }));
    await runClean(s);
    const throttled = retries(s).filter((e) => e.code === 'THROTTLED');
    expect(throttled).to.have.length(3);
    // The wait comes from the bucket Shopify reported, not from the generic backoff.
    for (const e of throttled) expect(e.waitMs).to.be.a('number').and.at.least(100);
  });

  it('THROTTLED answers among 503s do not use up the 503s\' budget: eight failures of one request in a row, still committed', async () => {
    // The first request meets two 503s, then six THROTTLED answers.
    const s = await track(scenario({ serverErrors: 2, serverErrorStatus: 503, throttled: 6 }));
    await runClean(s);
    expect(retries(s).slice(0, 8).map((e) => e.code)).to.deep.equal([...Array(2).fill('HTTP_TRANSIENT'), ...Array(6).fill('THROTTLED')]);
  });

  it('a window whose polls fail past --retry-budget keeps its operation: the rerun adopts it, none is left unused', async () => {
    // Shopify answers 503 from the moment the first operation is submitted, for longer than the budget.
    let armed = false;
    const s = await track(scenario({}, (entry, sandbox) => {
      if (entry.message !== 'bulk operation submitted' || armed) return;
      armed = true;
      sandbox.faults.set({ serverErrors: 1_000_000, serverErrorStatus: 503 });
    }));
    const args = ['--entities', 'orders', '--safety-lag', '0s', '--max-poll-interval', '200ms', '--retry-budget', '2s'];
    const failed = await runAgainst(s.sandbox, s.dir, args, { logger: s.logs.logger });
    expect(failed.exitCode).to.equal(1);
    const [orders] = failed.shops[0]!.entities;
    expect(orders?.error?.code).to.equal('HTTP_TRANSIENT');
    expect(orders?.error?.message).to.match(/gave up after \d+ attempts in \d+s/);
    const submitted = s.sandbox.operations().filter((op) => !op.foreign);
    // The window's queries (Entity.parts) submit at once: the others' submits meet the 503s too, unless answered first.
    expect(submitted.length, 'at most one operation per query submitted').to.be.within(1, entityByName('orders').parts.length);

    s.sandbox.faults.set({ serverErrors: 0 });
    const rerun = await runAgainst(s.sandbox, s.dir, args, { logger: s.logs.logger });
    expect(rerun.exitCode, JSON.stringify(rerun.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const adopted = s.logs.entries().filter((e) => e.message === 'adopting the operation an earlier run started').map((e) => e.operationId);
    expect(adopted, 'every operation the failed run submitted adopted').to.include.members(submitted.map((op) => op.id));
    // Every operation of ours was read: the adopted one, and those of each window's queries (Entity.parts) the runs submitted.
    const read = manifests(join(s.dir, 'out')).flatMap((m) => m.windows.flatMap((w) => w.operationIds ?? [w.operationId]));
    expect([...read].sort()).to.deep.equal(s.sandbox.operations().filter((op) => !op.foreign).map((op) => op.id).sort());
    await expectPublishedEqualsTruth(s.sandbox, s.dir, ['orders']);
  });

  it('HTTP 429: waits exactly as long as Retry-After says', async () => {
    const s = await track(scenario({ rateLimited: 2, retryAfterSeconds: 1 }));
    await runClean(s);
    expect(statuses(s, 429)).to.equal(2);
    expect(retries(s).filter((e) => e.status === 429).map((e) => e.waitMs)).to.deep.equal([1000, 1000]);
  });

  it('bursts of HTTP 500, 502, 503 and 504: retried with jittered backoff', async () => {
    // One sandbox per status, run side by side: each burst's backoff is random, so they overlap.
    const bursts = await Promise.all(([500, 502, 503, 504] as const).map((status) => track(scenario({ serverErrors: 3, serverErrorStatus: status }))));
    await Promise.all(bursts.map((s) => runClean(s)));
    for (const [i, status] of ([500, 502, 503, 504] as const).entries()) {
      const s = bursts[i]!;
      expect(statuses(s, status), `HTTP ${status} answered`).to.equal(3);
      const waits = retries(s).filter((e) => e.status === status);
      expect(waits.map((e) => e.code)).to.deep.equal(['HTTP_TRANSIENT', 'HTTP_TRANSIENT', 'HTTP_TRANSIENT']);
      // Full jitter: each wait lies in [0, base·2^(n-1)).
      waits.forEach((e, n) => expect(e.waitMs).to.be.within(0, 1000 * 2 ** n));
    }
  });

  it('the maintenance page: recognised and waited out for its Retry-After', async () => {
    const s = await track(scenario({ maintenance: 1 }));
    await runClean(s);
    const [wait] = retries(s);
    expect(wait, 'one retry').to.include({ code: 'HTTP_TRANSIENT', status: 503, waitMs: 10_000 });
    expect(String(wait!.error)).to.match(/maintenance page/);
  });

  it('OPERATION_IN_PROGRESS from a foreign operation: waits while it runs, submits once it clears, never cancels it', async () => {
    let blockedBy: string[] = [];
    let foreignWhenCleared: string[] = [];
    const s = await track(scenario({ foreignOperations: 5 }, (entry, sandbox) => {
      if (entry.message !== 'no free bulk operation slot; waiting' || blockedBy.length > 0) return;
      blockedBy = entry.blockedBy as string[];
      // Let it wait a few rounds, then the foreign work finishes.
      setTimeout(() => {
        foreignWhenCleared = sandbox.operations().filter((op) => op.foreign).map((op) => op.status);
        sandbox.faults.set({ foreignOperations: 0 });
      }, 300);
    }));
    await runClean(s, ['--created-timeout', '30s']);
    const foreign = s.sandbox.operations().filter((op) => op.foreign).map((op) => op.id);
    expect(blockedBy.sort()).to.deep.equal(foreign.sort());
    expect(foreignWhenCleared, 'the ETL left the foreign operations running').to.deep.equal(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
  });

  it('OPERATION_IN_PROGRESS that does not clear within --created-timeout: fails naming the blocking operations; the rerun completes', async () => {
    const s = await track(scenario({ foreignOperations: 5 }));
    const blocked = await runAgainst(s.sandbox, s.dir, [...ARGS, '--created-timeout', '1s'], { logger: s.logs.logger });
    expect(blocked.exitCode).to.equal(1);
    const foreign = s.sandbox.operations().filter((op) => op.foreign).map((op) => op.id);
    for (const outcome of blocked.shops[0]!.entities) {
      expect(outcome.status).to.equal('failed');
      expect(outcome.error!.code).to.equal('OPERATION_IN_PROGRESS');
      expect(outcome.error!.message).to.match(/no free bulk query slot .* after waiting \d+s \(--created-timeout\)/);
      expect(outcome.error!.message).to.contain(`not started by this ETL: ${foreign.join(', ')}`);
      expect(watermarkOf(s.sandbox, s.dir, outcome.entity)).to.equal(null);
    }
    expect(s.sandbox.operations().filter((op) => !op.foreign), 'nothing submitted').to.have.length(0);

    s.sandbox.faults.set({ foreignOperations: 0 });
    await runClean(s);
  });
});
