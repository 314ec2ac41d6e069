// Recorded lifecycles replayed against the sandbox: submit (CREATED, counters "0", query echoed),
// polls to COMPLETED, the download, concurrency limits per version, cancel, empty results, reads.
import { expect } from 'chai';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { interaction, RECORDED_FEATURES } from './support/captures.ts';
import { gql, normalise, OPERATION_FIELDS, pollToEnd, runQuery, type Op } from './support/client.ts';

const SIZE = { orders: 3, products: 4, customers: 2, locations: 1, collections: 1 };
const GID = /^gid:\/\/shopify\/BulkOperation\/\d+$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('conformance: bulk operation lifecycle', function () {
  let sandbox: Sandbox;
  beforeEach(async () => { sandbox = await startSandbox({ features: RECORDED_FEATURES, seed: 11, size: SIZE, operationDelayMs: 60 }); });
  afterEach(async () => { await sandbox.close(); });

  it('replays the recorded run: CREATED with counters "0" and the query echoed verbatim, then polls to COMPLETED', async () => {
    const recorded = interaction('2026-04', 'bulk-operation-run-query-group-objects', 'runs', 'runQueryGroupObjectsDefault', 'run');
    const res = await gql(sandbox, '2026-04', { query: recorded.query, variables: recorded.variables ?? {}, ...(recorded.operationName ? { operationName: recorded.operationName } : {}) });
    expect(normalise(res.body)).to.deep.equal(normalise(recorded.response));
    const created = (res.body.data?.bulkOperationRunQuery as { bulkOperation: Op }).bulkOperation;
    expect(created.id).to.match(GID);
    expect(created.createdAt).to.match(TIME);

    const { op, seen } = await pollToEnd(sandbox, '2026-04', created.id);
    expect(seen[0]).to.be.oneOf(['CREATED', 'RUNNING']);
    expect(seen.at(-1)).to.equal('COMPLETED');
    expect(seen.filter((s) => !['CREATED', 'RUNNING', 'COMPLETED'].includes(s))).to.deep.equal([]);
    expect(op.objectCount).to.equal(String(SIZE.products));
    expect(op.rootObjectCount).to.equal(String(SIZE.products));
    expect(op.completedAt).to.match(TIME);
    expect(op.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/bulk-results\/[0-9a-f]+\.jsonl\?Expires=\d+&Signature=/);
    const expires = Number(new URL(op.url ?? '').searchParams.get('Expires'));
    expect(expires - Date.parse(op.completedAt ?? '') / 1000).to.be.within(7 * 86400 - 1, 7 * 86400 + 1);

    const download = await fetch(op.url ?? '');
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('application/jsonl');
    const body = await download.text();
    expect(Buffer.byteLength(body)).to.equal(Number(op.fileSize));
    expect(body.endsWith('\n')).to.equal(true);
    const lines = body.trimEnd().split('\n');
    expect(lines).to.have.length(SIZE.products);
    expect(lines[0]).to.match(/^\{"id":"gid:\\\/\\\/shopify\\\/Product\\\/\d+","title":/);
  });

  it('passes through RUNNING with counters "0" (recorded), as bulkOperation(id:) shows', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 11, size: SIZE, operationDelayMs: 400 });
    try {
      const { op } = await runQuery(own, '2026-04', '{ products { edges { node { id } } } }');
      const { op: running } = await pollToEnd(own, '2026-04', op?.id ?? '', new Set(['RUNNING', 'COMPLETED']));
      expect(running.status).to.equal('RUNNING');
      expect([running.objectCount, running.rootObjectCount, running.url, running.fileSize]).to.deep.equal(['0', '0', null, null]);
      const polled = await gql(own, '2026-04', { query: `query P($id: ID!) { bulkOperation(id: $id) { ${OPERATION_FIELDS} } }`, variables: { id: running.id } });
      expect(polled.body.extensions?.cost).to.deep.include({ requestedQueryCost: 1, actualQueryCost: 1 });
    } finally {
      await own.close();
    }
  });

  it('completes an empty export with url null and counters "0"', async () => {
    const { op } = await runQuery(sandbox, '2026-10', '{ products(query: "created_at:<1990-01-01") { edges { node { id } } } }');
    const { op: done } = await pollToEnd(sandbox, '2026-10', op?.id ?? '');
    expect(done).to.deep.include({ status: 'COMPLETED', objectCount: '0', rootObjectCount: '0', url: null, fileSize: null, partialDataUrl: null });
  });

  it('limits 2025-01 to one running query, listing its id as recorded', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 3, size: SIZE, operationDelayMs: 60_000 });
    try {
      const recorded = interaction('2025-01', 'bulk-operation-run-query-operation-in-progress', 'secondRun');
      const first = await gql(own, '2025-01', { query: recorded.query, variables: recorded.variables ?? {} });
      const id = (first.body.data?.bulkOperationRunQuery as { bulkOperation: Op }).bulkOperation.id;
      const second = await gql(own, '2025-01', { query: recorded.query, variables: recorded.variables ?? {} });
      expect(normalise(second.body)).to.deep.equal(normalise(recorded.response));
      expect((second.body.data?.bulkOperationRunQuery as { userErrors: Array<{ message: string }> }).userErrors[0]?.message).to.equal(`A bulk query operation for this app and shop is already in progress: ${id}.`);
      const cancel = interaction('2025-01', 'bulk-operation-run-query-operation-in-progress', 'cancelAttempt');
      const canceled = await gql(own, '2025-01', { query: cancel.query, variables: { id } });
      expect(normalise(canceled.body)).to.deep.equal(normalise(cancel.response));
    } finally {
      await own.close();
    }
  });

  it('allows five running queries from 2026-01 and lists all five ids on the sixth, as recorded on 2026-04', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 3, size: SIZE, operationDelayMs: 60_000 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = interaction('2026-04', 'bulk-operation-run-query-concurrency-limit', 'successfulRuns', i);
        const res = await gql(own, '2026-04', { query: run.query, variables: run.variables ?? {} });
        expect(normalise(res.body)).to.deep.equal(normalise(run.response));
        ids.push((res.body.data?.bulkOperationRunQuery as { bulkOperation: Op }).bulkOperation.id);
      }
      const sixth = interaction('2026-04', 'bulk-operation-run-query-concurrency-limit', 'sixthRun');
      const res = await gql(own, '2026-04', { query: sixth.query, variables: sixth.variables ?? {} });
      expect(normalise(res.body)).to.deep.equal(normalise(sixth.response));
      expect((res.body.data?.bulkOperationRunQuery as { userErrors: Array<{ message: string }> }).userErrors[0]?.message).to.equal(`A bulk query operation for this app and shop is already in progress: ${ids.join(', ')}.`);
    } finally {
      await own.close();
    }
  });

  it('cancels: CANCELING at once, again CANCELING without error, then CANCELED with completedAt and url null', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 3, size: SIZE, operationDelayMs: 60_000 });
    try {
      const cancelQuery = interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'lifecycle', 'queryExportImmediateCancel', 'cancelAttempt');
      const { op } = await runQuery(own, '2026-04', '{ products { edges { node { id title } } } }');
      const first = await gql(own, '2026-04', { query: cancelQuery.query, variables: { id: op?.id } });
      expect(normalise(first.body)).to.deep.equal(normalise({ ...cancelQuery.response, data: { bulkOperationCancel: { ...(cancelQuery.response.data?.bulkOperationCancel as object), bulkOperation: { ...((cancelQuery.response.data?.bulkOperationCancel as { bulkOperation: object }).bulkOperation), query: op?.query } } } }));
      const again = await gql(own, '2026-04', { query: cancelQuery.query, variables: { id: op?.id } });
      expect((again.body.data?.bulkOperationCancel as { bulkOperation: Op; userErrors: unknown[] })).to.deep.include({ userErrors: [] });
      const { op: done, seen } = await pollToEnd(own, '2026-04', op?.id ?? '');
      expect(seen).to.deep.equal(['CANCELING', 'CANCELED']);
      expect(done).to.deep.include({ completedAt: null, url: null, fileSize: null });
    } finally {
      await own.close();
    }
  });

  it('refuses to cancel a completed operation with the recorded error, returning it unchanged', async () => {
    const recorded = interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'lifecycle', 'queryExportToTerminal', 'terminalCancelAttempt');
    const { op } = await runQuery(sandbox, '2026-04', '{ products { edges { node { id title } } } }');
    const { op: done } = await pollToEnd(sandbox, '2026-04', op?.id ?? '');
    const res = await gql(sandbox, '2026-04', { query: recorded.query, variables: { id: done.id } });
    const payload = res.body.data?.bulkOperationCancel as { bulkOperation: Op; userErrors: unknown[] };
    expect(payload.userErrors).to.deep.equal([{ field: null, message: 'A bulk operation cannot be canceled when it is completed' }]);
    expect(payload.bulkOperation).to.deep.equal(done);
  });

  it('reads operations through node, nodes (null for unknown ids), currentBulkOperation and bulkOperations', async () => {
    const reads = interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'lifecycle', 'queryExportImmediateCancel', 'nodeReads', 'mixed');
    const { op } = await runQuery(sandbox, '2026-04', '{ products { edges { node { id } } } }');
    const { op: done } = await pollToEnd(sandbox, '2026-04', op?.id ?? '');
    const ids = [done.id, 'gid://shopify/BulkOperation/0', done.id];
    const res = await gql(sandbox, '2026-04', { query: reads.query, variables: { ids } });
    const batch = res.body.data?.aliasedBatch as Array<Record<string, unknown> | null>;
    expect(batch.map((n) => n?.__typename ?? null)).to.deep.equal(['BulkOperation', null, 'BulkOperation']);
    expect(res.body.extensions?.cost).to.deep.include({ requestedQueryCost: 1 });

    const current = await gql(sandbox, '2026-04', { query: `{ currentBulkOperation(type: QUERY) { id status } mutation: currentBulkOperation(type: MUTATION) { id } }` });
    expect(current.body.data).to.deep.equal({ currentBulkOperation: { id: done.id, status: 'COMPLETED' }, mutation: null });

    const catalog = interaction('2026-04', 'bulk-operation-status-catalog-cancel', 'lifecycle', 'queryExportImmediateCancel', 'catalogById');
    const byId = await gql(sandbox, '2026-04', { query: catalog.query, variables: { ...catalog.variables, query: `id:${done.id.split('/').pop()}` } });
    const connection = byId.body.data?.bulkOperations as { edges: Array<{ cursor: string; node: Op }>; nodes: Op[] };
    expect(connection.nodes.map((n) => n.id)).to.deep.equal([done.id]);
    expect(JSON.parse(Buffer.from(connection.edges[0]?.cursor ?? '', 'base64').toString())).to.have.keys(['last_id', 'last_value']);
    const filtered = await gql(sandbox, '2026-04', { query: `{ bulkOperations(first: 5, query: "status:completed AND operation_type:query AND created_at:>=2000-01-01") { nodes { id } } }` });
    expect((filtered.body.data?.bulkOperations as { nodes: unknown[] }).nodes).to.deep.equal([{ id: done.id }]);
  });

  it('sorts bulkOperations newest first by default; COMPLETED_AT puts unfinished ones last, reverse flips it all', async () => {
    const first = (await runQuery(sandbox, '2026-04', '{ products { edges { node { id } } } }')).op?.id ?? '';
    await pollToEnd(sandbox, '2026-04', first);
    const second = (await runQuery(sandbox, '2026-04', '{ customers { edges { node { id } } } }')).op?.id ?? '';
    await gql(sandbox, '2026-04', { query: 'mutation C($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }', variables: { id: second } });
    await pollToEnd(sandbox, '2026-04', second);
    const third = (await runQuery(sandbox, '2026-04', '{ orders { edges { node { id } } } }')).op?.id ?? '';
    await pollToEnd(sandbox, '2026-04', third);
    const list = async (sortKey: string, reverse: boolean) => {
      const res = await gql(sandbox, '2026-04', { query: `query L($s: BulkOperationsSortKeys!, $r: Boolean!) { bulkOperations(first: 50, sortKey: $s, reverse: $r) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, variables: { s: sortKey, r: reverse } });
      return (res.body.data?.bulkOperations as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    };
    expect(await list('CREATED_AT', false)).to.deep.equal([third, second, first]);
    expect(await list('CREATED_AT', true)).to.deep.equal([first, second, third]);
    expect(await list('COMPLETED_AT', false)).to.deep.equal([third, first, second]);
    expect(await list('COMPLETED_AT', true)).to.deep.equal([second, first, third]);
    const page = await gql(sandbox, '2026-04', { query: '{ bulkOperations(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }' });
    const { pageInfo } = page.body.data?.bulkOperations as { pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(pageInfo.hasNextPage).to.equal(true);
    const next = await gql(sandbox, '2026-04', { query: 'query N($a: String) { bulkOperations(first: 2, after: $a) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }', variables: { a: pageInfo.endCursor } });
    expect(next.body.data?.bulkOperations).to.deep.equal({ nodes: [{ id: first }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
  });

  it('writes grouped output for groupObjects: true and the configured ordering otherwise', async () => {
    const own = await startSandbox({ features: RECORDED_FEATURES, seed: 5, size: SIZE, operationDelayMs: 20, ordering: 'children-first' });
    try {
      const query = '{ products { edges { node { id variants { edges { node { id } } } } } } }';
      const lines = async (groupObjects: boolean) => {
        const { op } = await runQuery(own, '2026-10', query, groupObjects);
        const { op: done } = await pollToEnd(own, '2026-10', op?.id ?? '');
        return (await (await fetch(done.url ?? '')).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; __parentId?: string });
      };
      const grouped = await lines(true);
      const seen = new Set<string>();
      for (const line of grouped) {
        if (line.__parentId) expect(seen.has(line.__parentId), 'parent before child').to.equal(true);
        seen.add(line.id);
      }
      const childrenFirst = await lines(false);
      const before = new Set<string>();
      expect(childrenFirst.some((line) => { before.add(line.id); return line.__parentId !== undefined && !before.has(line.__parentId); })).to.equal(true);
      expect(new Set(childrenFirst.map((l) => l.id))).to.deep.equal(new Set(grouped.map((l) => l.id)));
    } finally {
      await own.close();
    }
  });
});
