// The deletions stage's windows are as crash-safe as every window: a run killed at any point of an id
// snapshot's commit protocol is finished by the next, and each deletion is published exactly once.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { killAt, runCli, startCli } from '../support/cli.ts';
import { manifests, readPublished, relativeFiles } from '../support/output.ts';
import { removeRecords } from '../support/store.ts';

describe('deletes: a run killed during an id snapshot', function () {
  this.timeout(90_000);
  let dir: string;
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const checkpoint of ['submit-answered', 'after-submit', 'before-upload', 'before-commit']) {
    it(`SIGKILL at ${checkpoint}: the rerun publishes each deletion once, and no part no manifest lists`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'etl-deletes-crash-'));
      sandbox = await startSandbox({ operationDelayMs: 100, size: { orders: 0, products: 1, customers: 12 } });
      const out = join(dir, 'out');
      const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'customers', '--dest', out, '--state', join(dir, 'state.db'),
        '--log-format', 'json', '--poll-interval', '50ms', '--safety-lag', '0s', '--deletes-every', '0'];
      const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
      expect((await runCli(args, env)).code).to.equal(0);
      const gone = sandbox.store.ids('customers').slice(3, 5);
      await removeRecords(sandbox, 'customers', gone, false);

      await killAt(startCli([...args, '--pause-at', `customers_ids:${checkpoint}`], env), (e) => e.message === 'paused at checkpoint');
      const rerun = await runCli(args, env);
      expect(rerun.code, rerun.stderr).to.equal(0);

      const published = manifests(out);
      const rows = await readPublished(out, published, 'deletions');
      expect(rows.map((r) => `${String(r.table)} ${String(r.admin_graphql_api_id)}`).sort()).to.deep.equal(gone.map((g) => `customers ${g}`).sort());
      const listed = published.flatMap((m) => m.windows.flatMap((w) => w.files.map((f) => f.objectName))).sort();
      expect(relativeFiles(out).filter((f) => f.endsWith('.ndjson.gz'))).to.deep.equal(listed);
      // The killed run's snapshot was finished (its operation adopted once it had been answered), not left open.
      const snapshots = sandbox.operations().filter((op) => op.query.includes('CustomersIds'));
      expect(snapshots.length, 'the first run\'s, the killed run\'s, and the rerun\'s own').to.equal(3);
    });
  }
});
