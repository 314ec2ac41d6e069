// Soak: twenty runs in a row against one sandbox store, each with faults a seeded PRNG picks from the
// transient and window-level ones, and the store changing between runs. After every run the
// watermark covers only published data; after the last, the published output, deduplicated on
// (id, updated_at), is the store's final truth.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import { runAgainst } from '../support/etl.ts';
import { prng, type Pick } from '../support/prng.ts';
import { captureLogs, expectNoSecret, expectPublishedEqualsTruth, expectWatermarkCovered, type RootEntity } from '../support/truth.ts';

const RUNS = 20;
const SEED = 20_260_106;
const ENTITIES: RootEntity[] = ['orders', 'customers'];

interface FaultChoice {
  name: string;
  /** Fails its window for this run (the next run extracts it again) rather than being recovered within it. */
  terminal: boolean;
  faults: (pick: Pick) => Partial<Faults>;
}

const MENU: FaultChoice[] = [
  { name: 'throttle', terminal: false, faults: (r) => ({ throttled: 1 + r(3) }) },
  { name: 'rate-limit', terminal: false, faults: (r) => ({ rateLimited: 1 + r(2), retryAfterSeconds: 0 }) },
  { name: 'server-error', terminal: false, faults: (r) => ({ serverErrors: 1, serverErrorStatus: ([500, 502, 503, 504] as const)[r(4)]! }) },
  { name: 'fail-internal', terminal: false, faults: () => ({ failed: 1, failedErrorCode: 'INTERNAL_SERVER_ERROR' }) },
  { name: 'fail-timeout', terminal: false, faults: () => ({ failed: 1, failedErrorCode: 'TIMEOUT' }) },
  { name: 'cancel', terminal: false, faults: () => ({ canceled: 1 }) },
  { name: 'stuck', terminal: false, faults: () => ({ stuck: 1 }) },
  { name: 'expire', terminal: false, faults: () => ({ expiredUrls: 1 }) },
  { name: 'cut', terminal: false, faults: (r) => ({ cutDownloads: 1, cutAfterBytes: 200 + r(4000) }) },
  { name: 'malformed', terminal: true, faults: (r) => ({ malformedLines: 1, malformedLineAt: 1 + r(5) }) },
  { name: 'drop', terminal: true, faults: (r) => ({ droppedLines: 1, droppedLineCount: 1 + r(2) }) },
];

/** One or two different faults; at most one sets the FAILED fate, whose error code is shared. */
function chooseFaults(pick: Pick, allowTerminal: boolean): { names: string[]; terminal: boolean; faults: Partial<Faults> } {
  const menu = MENU.filter((f) => allowTerminal || !f.terminal);
  const chosen: FaultChoice[] = [];
  for (let i = 1 + pick(2); i > 0; i--) {
    const c = menu[pick(menu.length)]!;
    if (!chosen.some((x) => x.name === c.name || (x.name.startsWith('fail') && c.name.startsWith('fail')))) chosen.push(c);
  }
  return { names: chosen.map((c) => c.name), terminal: chosen.some((c) => c.terminal), faults: Object.assign({}, ...chosen.map((c) => c.faults(pick))) as Partial<Faults> };
}

describe('soak: 20 runs with random faults and changing data', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-soak-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 40, customers: 20, products: 8 } });
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with the store\'s final truth, and no run lets the watermark lead the data', async () => {
    const pick = prng(SEED);
    let changedAt = 0;
    const history: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      if (run > 1) {
        // At the next whole second: never before the watermark of a run that already finished.
        changedAt = Math.ceil((Date.now() + 1) / 1000) * 1000;
        sandbox.store.mutate({ entities: ENTITIES, touch: 1 + pick(4), add: pick(3), at: new Date(changedAt) });
      }
      const last = run === RUNS;
      // The last run must see the last change, and recover from whatever it meets.
      if (last) await sleep(changedAt - Date.now() + 5);
      const chosen = chooseFaults(pick, !last);
      sandbox.faults.set(chosen.faults);
      const logs = captureLogs();
      const result = await runAgainst(sandbox, dir, ['--entities', ENTITIES.join(','), '--safety-lag', '0s', '--created-timeout', '300ms', '--max-poll-interval', '100ms'], { logger: logs.logger });
      sandbox.faults.clear();
      const failures = result.shops[0]!.entities.filter((e) => e.status !== 'committed').map((e) => `${e.entity}:${e.error?.code}`);
      history.push(`run ${run} [${chosen.names.join(', ')}] → exit ${result.exitCode} ${failures.join(' ')}`);
      const context = history.join('\n');

      expectNoSecret([sandbox.token], logs.text(), JSON.stringify(result));
      if (chosen.terminal) {
        expect(result.exitCode, context).to.be.oneOf([0, 1]);
        for (const f of failures) expect(f, context).to.match(/:(MALFORMED_JSONL|VERIFY_MISMATCH)$/);
      } else {
        expect(result.exitCode, context).to.equal(0);
      }
      await expectWatermarkCovered(sandbox, dir, ENTITIES);
    }
    await expectPublishedEqualsTruth(sandbox, dir, ENTITIES);
    // The faults did fire: more operations than windows, and some runs recovered from failures.
    expect(sandbox.operations().filter((op) => op.status !== 'COMPLETED').length, history.join('\n')).to.be.greaterThan(RUNS / 2);
  });
});
