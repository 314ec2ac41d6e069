// What a shop's plan refuses to apps whatever scopes they hold: staff accounts, readable only on
// Shopify Plus and Advanced (the sandbox has no Advanced plan: off Plus they are refused). An ordinary
// query answers ACCESS_DENIED with the field null; a bulk query on them FAILS with ACCESS_DENIED.
import { expect } from 'chai';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { gql, pollToEnd, runQuery } from './support/client.ts';

const VERSION = '2026-10';
const STAFF_BULK = '{ staffMembers { edges { node { __typename id name email } } } }';

describe('a shop plan\'s refusals', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('off Plus: staffMembers answers ACCESS_DENIED, and a bulk query on it FAILS with ACCESS_DENIED and no file', async () => {
    sandbox = await startSandbox({ seed: 1, operationDelayMs: 10, size: { orders: 2, products: 1, customers: 2 }, features: { shopifyPlus: false } });
    const res = await gql(sandbox, VERSION, { query: 'query StaffAccess { staffMembers(first: 1) { edges { node { id } } } }' });
    expect(res.status).to.equal(200);
    expect(res.body.data).to.deep.equal({ staffMembers: null });
    expect(res.body.errors?.map((e) => (e.extensions as { code: string }).code)).to.deep.equal(['ACCESS_DENIED']);
    const { op, userErrors } = await runQuery(sandbox, VERSION, STAFF_BULK);
    expect(userErrors).to.deep.equal([]);
    const { op: end } = await pollToEnd(sandbox, VERSION, op!.id);
    expect([end.status, end.errorCode, end.url]).to.deep.equal(['FAILED', 'ACCESS_DENIED', null]);
  });

  it('on Plus: staffMembers answers a page, and a bulk query on it completes with every staff member', async () => {
    sandbox = await startSandbox({ seed: 1, operationDelayMs: 10, size: { orders: 2, products: 1, customers: 2 } });
    const res = await gql(sandbox, VERSION, { query: 'query StaffAccess { staffMembers(first: 1) { edges { node { id } } } }' });
    expect(res.body.errors).to.equal(undefined);
    expect((res.body.data?.staffMembers as { edges: unknown[] }).edges).to.have.length(1);
    const { op } = await runQuery(sandbox, VERSION, STAFF_BULK);
    const { op: end } = await pollToEnd(sandbox, VERSION, op!.id);
    expect([end.status, end.objectCount]).to.deep.equal(['COMPLETED', String(sandbox.store.truth().staff_members)]);
  });
});
