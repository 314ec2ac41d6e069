// Replays recorded Shopify requests that are answered without running anything (userErrors, GraphQL
// validation errors, argument checks) against the sandbox over HTTP, comparing whole bodies after
// normalising what legitimately differs (ids, times, URLs, the bucket level).
import { expect } from 'chai';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { sandboxSchema } from '../src/schema/index.ts';
import { bulkQueryErrors } from '../src/bulk-rules.ts';
import { capture, interaction, RECORDED_FEATURES, type Interaction } from './support/captures.ts';
import { gql, normalise } from './support/client.ts';

/** Cost figures the sandbox only estimates: compared by type, not value. */
function withoutCostValues(body: unknown): unknown {
  const copy = structuredClone(body) as { extensions?: { cost?: Record<string, unknown> } };
  const cost = copy.extensions?.cost;
  if (cost) for (const key of ['requestedQueryCost', 'actualQueryCost']) cost[key] = typeof cost[key];
  return copy;
}

async function replay(sandbox: Sandbox, version: string, recorded: Interaction) {
  const res = await gql(sandbox, version, { query: recorded.query, variables: recorded.variables ?? {}, ...(recorded.operationName ? { operationName: recorded.operationName } : {}) });
  expect(res.status).to.equal(recorded.status);
  expect(res.headers.get('x-shopify-api-version')).to.equal(version);
  return res;
}

describe('conformance: answers that need no running operation', function () {
  let sandbox: Sandbox;
  before(async () => { sandbox = await startSandbox({ features: RECORDED_FEATURES, seed: 7, size: { orders: 2, products: 2, customers: 1, locations: 1, collections: 1 } }); });
  after(async () => { await sandbox.close(); });

  describe('bulkOperationRunQuery userErrors (exact bodies, mutation cost 10)', () => {
    const cases: Array<[string, string, string[]]> = [
      ...Object.keys(capture('2026-04', 'bulk-operation-run-query-validators').validations as object).map((k): [string, string, string[]] => ['2026-04', 'bulk-operation-run-query-validators', ['validations', k]]),
      ['2026-04', 'bulk-operation-run-query-user-error-codes', ['validations', 'noConnectionWithCode']],
      ['2026-04', 'bulk-operation-run-query-user-error-codes', ['validations', 'emptyQuery']],
      ['2026-04', 'bulk-operation-storage-byte-limit', ['cases', 'query']],
      ['2026-04', 'bulk-operation-name-independent-run-roots', ['cases', 'query']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationRunQueryWithoutConnection']],
    ];
    for (const [version, file, path] of cases) {
      it(`${file} ${path.join('/')}`, async () => {
        const recorded = interaction(version, file, ...path);
        const res = await replay(sandbox, version, recorded);
        const inner = String(recorded.variables?.query ?? '');
        const messages = (errors: Array<{ message: string }>) => errors.map((e) => e.message).join('\n');
        const recordedErrors = (recorded.response.data?.bulkOperationRunQuery as { userErrors: Array<{ message: string }> }).userErrors;
        if (messages(bulkQueryErrors(sandboxSchema(version), inner)) === messages(recordedErrors)) {
          expect(normalise(res.body)).to.deep.equal(normalise(recorded.response));
        } else {
          // The query selects a field the sandbox's smaller schema lacks (Product.sellingPlanGroups):
          // the sandbox answers the schema error Shopify would give for an unknown field.
          const expected = bulkQueryErrors(sandboxSchema(version), inner);
          expect(expected[0]?.message).to.match(/^Invalid bulk query: Field '\w+' doesn't exist on type '\w+'$/);
          expect((res.body.data?.bulkOperationRunQuery as { userErrors: unknown }).userErrors).to.deep.equal(expected);
        }
      });
    }
  });

  describe('top-level GraphQL errors (exact bodies: no data, no cost)', () => {
    const cases: Array<[string, string, string[]]> = [
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationMissingId']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationCancelMissingId']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationRunQueryMissingQuery']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'malformedId']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'malformedInlineId']],
      ['2026-04', 'bulk-operations-sort-key', ['cases', 'idRejected']],
      ['2026-04', 'bulk-operation-run-mutation-client-identifier-validation', ['observations', 'runQueryWithClientIdentifier']],
    ];
    for (const [version, file, path] of cases) {
      it(`${file} ${path.join('/')}`, async () => {
        const recorded = interaction(version, file, ...path);
        const res = await replay(sandbox, version, recorded);
        expect(res.body).to.deep.equal(recorded.response);
      });
    }
  });

  describe('execution errors and search warnings (exact bodies; cost compared by type)', () => {
    const cases: Array<[string, string, string[]]> = [
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'missingWindow']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'firstAndLast']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidCreatedAt']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'nonBulkOperationGid']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidStatusExpired']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidStatusUnknown']],
      ['2026-04', 'bulk-operations-read-arg-validation', ['cases', 'invalidOperationType']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationsInvalidSearch']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['validations', 'bulkOperationCancelUnknownId']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'unknownId']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'currentMutation']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'catalogEmptyRunningQuery']],
      ['2026-04', 'bulk-operation-status-catalog-cancel', ['reads', 'catalogEmptyRunningMutation']],
      ['2026-04', 'bulk-operation-root-count-and-search-filters', ['filters', 'createdBefore']],
    ];
    for (const [version, file, path] of cases) {
      it(`${file} ${path.join('/')}`, async () => {
        const recorded = interaction(version, file, ...path);
        const res = await replay(sandbox, version, recorded);
        expect(normalise(withoutCostValues(res.body))).to.deep.equal(normalise(withoutCostValues(recorded.response)));
      });
    }
  });

  it('polls cost 1 and mutations 10, with the recorded throttleStatus shape', async () => {
    const poll = await replay(sandbox, '2026-04', interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'reads', 'unknownId'));
    expect(poll.body.extensions?.cost).to.deep.include({ requestedQueryCost: 1, actualQueryCost: 1 });
    const cancel = await replay(sandbox, '2026-04', interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'validations', 'bulkOperationCancelUnknownId'));
    const cost = cancel.body.extensions?.cost as { requestedQueryCost: number; actualQueryCost: number; throttleStatus: Record<string, number> };
    expect(cost.requestedQueryCost).to.equal(10);
    expect(cost.actualQueryCost).to.equal(10);
    expect(cost.throttleStatus.maximumAvailable).to.equal(2000);
    expect(cost.throttleStatus.restoreRate).to.equal(100);
    expect(cost.throttleStatus.currentlyAvailable).to.be.a('number').within(0, 1990);
  });

  it('answers bulkOperations with an unknown filter key by ignoring it and warning (invalid_field)', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 7, size: { orders: 1, products: 1, customers: 1, locations: 1, collections: 1 } });
    try {
      await gql(own, '2026-04', { query: 'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }") { userErrors { message } } }' });
      const recorded = interaction('2026-04', 'bulk-operation-root-count-and-search-filters', 'filters', 'unknown');
      const res = await replay(own, '2026-04', recorded);
      expect(res.body.extensions?.search).to.deep.equal(recorded.response.extensions?.search);
      expect((res.body.data?.bulkOperations as { nodes: unknown[] }).nodes).to.have.length(1);
    } finally {
      await own.close();
    }
  });

  it('rejects a document the schema does not have (undefinedField) and answers 404 for unknown versions', async () => {
    const recorded = interaction('2026-04', 'bulk-operation-run-mutation-allowed-roots', 'cases', 'customerCreate', 'cleanup', 'primary');
    const res = await gql(sandbox, '2026-04', { query: '{ shop { nope } }' });
    expect(res.body).to.deep.equal({ errors: [{ message: "Field 'nope' doesn't exist on type 'Shop'", locations: [{ line: 1, column: 10 }], path: ['query', 'shop', 'nope'], extensions: { code: 'undefinedField', typeName: 'Shop', fieldName: 'nope' } }] });
    expect(Object.keys((recorded.response.errors?.[0] ?? {}) as object)).to.deep.equal(Object.keys(res.body.errors?.[0] ?? {}));
    expect((await gql(sandbox, '2026-02', { query: '{ shop { id } }' })).status).to.equal(404);
    expect((await gql(sandbox, 'latest', { query: '{ shop { id } }' })).status).to.equal(404);
    const old = await gql(sandbox, '2024-04', { query: '{ shop { id } }' });
    expect(old.headers.get('x-shopify-api-version')).to.equal('2025-01');
  });
});
