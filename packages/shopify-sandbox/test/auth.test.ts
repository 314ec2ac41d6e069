// Access tokens: the static token, Shopify's 401 body, and the client credentials grant.
import { expect } from 'chai';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { gql } from './support/client.ts';

const SHOP_QUERY = { query: '{ shop { myshopifyDomain } }' };

describe('sandbox authentication', () => {
  let sandbox: Sandbox;
  let offsetMs = 0;
  const credentials = { clientId: 'client-abc', clientSecret: 'secret-xyz', tokenTtlSeconds: 3600 };
  before(async () => { sandbox = await startSandbox({ seed: 2, size: { orders: 1, products: 1, customers: 1, locations: 1, collections: 1 }, clientCredentials: credentials, now: () => new Date(Date.now() + offsetMs) }); });
  after(async () => { await sandbox.close(); });

  const exchange = (body: string, contentType: string) => fetch(`${sandbox.url}/admin/oauth/access_token`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

  it("answers a missing or wrong token with 401 and Shopify's body", async () => {
    for (const token of [null, 'shpat_wrong']) {
      const res = await gql(sandbox, '2026-10', SHOP_QUERY, token);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    const ok = await gql(sandbox, '2026-10', SHOP_QUERY);
    expect(ok.body.data).to.deep.equal({ shop: { myshopifyDomain: sandbox.shopDomain } });
  });

  it('exchanges client id and secret (JSON or form) for a token accepted until it expires', async () => {
    const json = await exchange(JSON.stringify({ client_id: credentials.clientId, client_secret: credentials.clientSecret, grant_type: 'client_credentials' }), 'application/json');
    expect(json.status).to.equal(200);
    const issued = (await json.json()) as { access_token: string; scope: string; expires_in: number };
    expect(issued.access_token).to.match(/^shpat_[0-9a-f]{32}$/);
    expect(issued.expires_in).to.equal(3600);
    expect(issued.scope).to.contain('read_products');
    expect((await gql(sandbox, '2026-10', SHOP_QUERY, issued.access_token)).status).to.equal(200);

    const form = await exchange(new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString(), 'application/x-www-form-urlencoded');
    const formToken = ((await form.json()) as { access_token: string }).access_token;
    expect((await gql(sandbox, '2026-10', SHOP_QUERY, formToken)).status).to.equal(200);

    offsetMs = 3601 * 1000;
    try {
      expect((await gql(sandbox, '2026-10', SHOP_QUERY, issued.access_token)).status).to.equal(401);
      expect((await gql(sandbox, '2026-10', SHOP_QUERY)).status).to.equal(200);
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a wrong secret (400 invalid_client) and other grant types (400 unsupported_grant_type)', async () => {
    const wrong = await exchange(JSON.stringify({ client_id: credentials.clientId, client_secret: 'nope', grant_type: 'client_credentials' }), 'application/json');
    expect(wrong.status).to.equal(400);
    expect(((await wrong.json()) as { error: string }).error).to.equal('invalid_client');
    const grant = await exchange(JSON.stringify({ client_id: credentials.clientId, client_secret: credentials.clientSecret, grant_type: 'authorization_code' }), 'application/json');
    expect(grant.status).to.equal(400);
    expect(((await grant.json()) as { error: string }).error).to.equal('unsupported_grant_type');
  });
});
