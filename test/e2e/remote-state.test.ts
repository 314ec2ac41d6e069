// The state on Cloud Run, end to end: the real CLI with `--state gs://…` on the fake GCS server, each
// run in a fresh local folder (an execution's disk does not outlive it). A run killed with SIGKILL
// right after submitting leaves its operation id on GCS and its lock to lapse within the rerun's
// --lock-wait; the rerun adopts the operation. The local-state lock follows the same lease rules.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entityByName } from '../../src/entities/index.ts';
import { collect, runCli, startCli, waitForLog, type CliResult } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';
import { expectFullHistoryOncePerQuery } from '../support/truth.ts';

type LogEntry = Record<string, unknown>;
const LABELS = 'logging.googleapis.com/labels';

function logLines(result: CliResult): LogEntry[] {
  return result.stderr.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogEntry];
    } catch {
      return [];
    }
  });
}

const paused = (e: LogEntry): boolean => e.checkpoint === 'after-submit';
const waiting = (e: LogEntry): boolean => /waiting for its lease to lapse/.test(String(e.message));

describe('state durable across killed runs (gs:// and local)', function () {
  this.timeout(60_000);
  let fake: FakeGcs;
  let endpoint: string;
  let sandbox: Sandbox;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
    fake.createBucket('etl');
    sandbox = await startSandbox({ operationDelayMs: 300, size: { orders: 60 } });
    dir = mkdtempSync(join(tmpdir(), 'etl-remote-state-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sandbox.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One execution: its own staging folder, as on a fresh Cloud Run instance. */
  function args(execution: string, state: string, extra: string[], entities = 'orders'): string[] {
    return [
      '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', entities, '--log-format', 'json', '--poll-interval', '100ms',
      '--dest', join(dir, 'out'), '--state', state, '--staging', join(dir, execution, 'staging'), '--gcs-endpoint', endpoint, ...extra,
    ];
  }
  const env = (): Record<string, string> => ({ SHOPIFY_ACCESS_TOKEN: sandbox.token });

  it('gs://: killed after submit, a live holder makes a run wait then exit 3; once killed, the rerun waits out the lease and adopts the operation', async () => {
    const state = 'gs://etl/state/shop.db';
    const killed = startCli(args('a', state, ['--pause-at', 'orders:after-submit', '--lock-lease', '3s']), env());
    children.push(killed);
    const pause = await waitForLog(killed, paused);
    const killedRun = String((pause[LABELS] as Record<string, string>).run_id);

    // While the paused run lives, its heartbeat keeps the lock: a second run waits, then gives up.
    const blocked = await runCli(args('b', state, ['--lock-wait', '1s']), env());
    expect(blocked.code, blocked.stderr).to.equal(3);
    expect(logLines(blocked).find(waiting)?.holder, 'the wait names the holder').to.match(new RegExp(`^${killedRun}`));

    killed.kill('SIGKILL');
    expect((await collect(killed)).signal).to.equal('SIGKILL');
    // No lock deletion by hand: the killed run's lease lapses within the rerun's --lock-wait.
    const rerun = await runCli(args('c', state, ['--lock-wait', '30s']), env());
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(logLines(rerun).find((e) => e.message === 'adopting the operation an earlier run started')?.operationId, 'the killed run\'s operation adopted').to.be.a('string');
    expectFullHistoryOncePerQuery(sandbox, 'orders', 'one full-history submission per query: the killed run\'s, adopted');
    expect(fake.object('etl', 'state/shop.db.lock'), 'the rerun released its lock').to.equal(undefined);
  });

  it('gs://: the state is uploaded once at start, before and after each submit, after each commit and at the end', async () => {
    const state = 'gs://etl/state/shop.db';
    const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
    // An entity of one query: the queries of one window (Entity.parts) submit at once and share the
    // uploads queued while one runs (RemoteState.publish), so only one query's count is exact.
    expect(entityByName('customers').parts).to.have.length(1);
    const run = await runCli(args('a', state, ['--since', since, '--window', '1d'], 'customers'), env());
    expect(run.code, run.stderr).to.equal(0);
    const windows = logLines(run).filter((e) => e.message === 'window committed').length;
    expect(windows).to.be.greaterThan(1);
    const stateWrites = fake.requests.filter((r) => r.method === 'POST' && r.query.name === 'state/shop.db').length;
    expect(stateWrites, `${windows} windows`).to.equal(2 + 3 * windows);
  });

  it('gs://: a 503 answer to the state download is retried, and the run exits 0', async () => {
    const state = 'gs://etl/state/shop.db';
    const first = await runCli(args('a', state, []), env());
    expect(first.code, first.stderr).to.equal(0);
    // The second read of the database: its metadata first, then its bytes.
    fake.faults.failOn({ method: 'GET', object: 'state/shop.db' }, 503, 2);
    const second = await runCli(args('b', state, []), env());
    expect(second.code, second.stderr.slice(-1500)).to.equal(0);
    expect(fake.requests.filter((r) => r.injected).map((r) => r.status)).to.deep.equal([503]);
  });

  it('local: a live holder makes a run wait then exit 3; once the holder stops renewing (alive but stopped), its lease lapses and the rerun adopts its operation', async () => {
    const state = join(dir, 'state.db');
    const stopped = startCli(args('a', state, ['--pause-at', 'orders:after-submit', '--lock-lease', '3s']), env());
    children.push(stopped);
    const pause = await waitForLog(stopped, paused);
    const blocked = await runCli(args('b', state, ['--lock-wait', '1s']), env());
    expect(blocked.code, blocked.stderr).to.equal(3);
    expect(logLines(blocked).find(waiting)?.holder, 'the wait names the holder').to.equal((pause[LABELS] as Record<string, string>).run_id);
    // Its pid still answers, but its heartbeat is frozen: the lease decides.
    stopped.kill('SIGSTOP');
    const rerun = await runCli(args('c', state, ['--lock-wait', '30s']), env());
    expect(rerun.code, rerun.stderr).to.equal(0);
    expectFullHistoryOncePerQuery(sandbox, 'orders', 'one full-history submission per query: the stopped run\'s, adopted');
  });
});
