// startSandbox on its own: defaults, the request log, and a clean stop.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSandbox } from '../src/index.ts';
import { gql, pollToEnd, runQuery } from './support/client.ts';

describe('sandbox start and stop', () => {
  it('starts on 127.0.0.1 with a free port and a random shpat_ token, and stops cleanly', async () => {
    const sandbox = await startSandbox({ seed: 1, size: { orders: 1, products: 1, customers: 1, locations: 1, collections: 1 } });
    expect(sandbox.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.token).to.match(/^shpat_[0-9a-f]{32}$/);
    expect(sandbox.shopDomain).to.equal('sandbox.myshopify.com');
    const res = await gql(sandbox, '2026-10', { query: 'query Shop { shop { myshopifyDomain } }', operationName: 'Shop' });
    expect(res.body.data).to.deep.equal({ shop: { myshopifyDomain: 'sandbox.myshopify.com' } });
    expect(res.headers.get('x-shopify-api-version')).to.equal('2026-10');
    expect(sandbox.requests()).to.deep.equal([{ method: 'POST', path: '/admin/api/2026-10/graphql.json', operationName: 'Shop', status: 200 }]);
    await sandbox.close();
    let refused = false;
    await fetch(`${sandbox.url}/admin/api/2026-10/graphql.json`).catch(() => { refused = true; });
    expect(refused).to.equal(true);
  });

  it('writes result files into a given dataDir and leaves that dir in place on close', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
    try {
      const sandbox = await startSandbox({ seed: 1, size: { orders: 1, products: 2, customers: 1, locations: 1, collections: 1 }, dataDir, operationDelayMs: 10, token: 'shpat_fixed', shopDomain: 'acme.myshopify.com' });
      expect(sandbox.token).to.equal('shpat_fixed');
      const { op } = await runQuery(sandbox, '2026-10', '{ products { edges { node { id } } } }');
      await pollToEnd(sandbox, '2026-10', op?.id ?? '');
      expect(readdirSync(dataDir).filter((f) => f.endsWith('.jsonl'))).to.have.length(1);
      expect(sandbox.operations().map((o) => o.status)).to.deep.equal(['COMPLETED']);
      await sandbox.close();
      expect(existsSync(dataDir)).to.equal(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
