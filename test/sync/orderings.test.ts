import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfig } from '../../src/cli/config.ts';
import { silentLogger } from '../support/log.ts';
import { runJob } from '../../src/sync/run.ts';
import { startSandbox } from 'shopify-sandbox';
import { withTestDefaults } from '../support/cli.ts';
import { readTable, type OutputRow } from '../support/output.ts';

/** Rows without the columns that differ between runs by design. */
function comparable(rows: OutputRow[]): string[] {
  return rows.map(({ _run_id: _r, _extracted_at: _e, ...rest }) => JSON.stringify(rest)).sort();
}

describe('JSONL line order does not change the rows', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'etl-order-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same rows from grouped, interleaved and children-first files', async () => {
    const tables: Record<string, Record<string, string[]>> = {};
    for (const ordering of ['grouped', 'interleaved', 'children-first'] as const) {
      const sandbox = await startSandbox({ operationDelayMs: 20, ordering, size: { orders: 60 } });
      try {
        const out = join(dir, ordering);
        const config = (await parseConfig(withTestDefaults(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders,products', '--dest', out, '--state', join(dir, `${ordering}.db`)]), { SHOPIFY_ACCESS_TOKEN: sandbox.token }, false)) as RunConfig;
        const result = await runJob(config, { logger: silentLogger, live: null, signal: new AbortController().signal });
        expect(result.exitCode).to.equal(0);
        const orders = await readTable(out, 'orders');
        const lineItems = await readTable(out, 'order_line_items');
        const orderIds = new Set(orders.map((o) => o.id));
        expect(lineItems.every((li) => orderIds.has(li.order_id))).to.equal(true);
        expect(orders.length).to.equal(sandbox.store.truth().orders);
        expect(lineItems.length).to.equal(sandbox.store.truth().order_line_items);
        tables[ordering] = {};
        for (const table of ['orders', 'order_line_items', 'order_shipping_lines', 'order_discount_applications', 'products', 'product_variants', 'product_media']) {
          tables[ordering]![table] = comparable(await readTable(out, table));
        }
      } finally {
        await sandbox.close();
      }
    }
    expect(tables.interleaved).to.deep.equal(tables.grouped);
    expect(tables['children-first']).to.deep.equal(tables.grouped);
  });
});
