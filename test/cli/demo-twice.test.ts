// `npm run demo` twice on the same ./data: every run starts its own sandbox, and the state of the
// first must not break the second (issue 13, point 2).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';

describe('the demo, run twice on the same state and output', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-demo-twice-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 both times, meeting none of the first sandbox\'s operation ids again', async () => {
    const args = ['run', '--sandbox', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json', '--sandbox-operation-delay', '20ms', '--sandbox-orders', '20', '--sandbox-products', '10', '--sandbox-customers', '10'];
    const first = await runCli(args);
    expect(first.code, first.stderr).to.equal(0);
    const second = await runCli(args);
    expect(second.code, second.stderr).to.equal(0);
    const messages = second.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages.filter((m) => /stale operation record|orphaned operation/.test(m))).to.deep.equal([]);
  });
});
