// One test per injectable fault, each against a real sandbox over HTTP, plus the --fault spec parser.
import { expect } from 'chai';
import { parseFaultSpec } from '../src/faults.ts';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { gql, pollToEnd, readOperation, runQuery } from './support/client.ts';

const SIZE = { orders: 4, products: 6, customers: 2, locations: 1, collections: 1 };
const PRODUCTS = '{ products { edges { node { id title variants { edges { node { id } } } } } } }';
const SHOP = { query: '{ shop { id } }' };

describe('sandbox faults', () => {
  let sandbox: Sandbox;
  beforeEach(async () => { sandbox = await startSandbox({ seed: 9, size: SIZE, operationDelayMs: 30 }); });
  afterEach(async () => { await sandbox.close(); });

  const finished = async (faults: Parameters<Sandbox['faults']['set']>[0]) => {
    sandbox.faults.set(faults);
    const { op } = await runQuery(sandbox, '2026-10', PRODUCTS);
    return (await pollToEnd(sandbox, '2026-10', op?.id ?? '')).op;
  };

  it('throttled: the next N requests get a THROTTLED body with no data, then requests pass', async () => {
    sandbox.faults.set({ throttled: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await gql(sandbox, '2026-10', SHOP);
      expect(res.status).to.equal(200);
      expect(res.body).to.not.have.property('data');
      expect(res.body.errors).to.deep.equal([{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }]);
      expect(res.body.extensions?.cost).to.deep.include({ actualQueryCost: null });
    }
    expect((await gql(sandbox, '2026-10', SHOP)).body.data).to.have.property('shop');
  });

  it('rateLimited: HTTP 429 with Retry-After', async () => {
    sandbox.faults.set({ rateLimited: 1, retryAfterSeconds: 3 });
    const res = await gql(sandbox, '2026-10', SHOP);
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('3.0');
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(200);
  });

  it('serverErrors: a burst of the chosen 5xx status, then recovery', async () => {
    sandbox.faults.set({ serverErrors: 2, serverErrorStatus: 503 });
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(503);
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(503);
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(200);
    sandbox.faults.set({ serverErrors: 1, serverErrorStatus: 502 });
    const gateway = await gql(sandbox, '2026-10', SHOP);
    expect(gateway.status).to.equal(502);
    expect(gateway.headers.get('content-type')).to.match(/^text\/html/);
  });

  it('maintenance: the HTML 503 page', async () => {
    sandbox.faults.set({ maintenance: 1 });
    const res = await gql(sandbox, '2026-10', SHOP);
    expect(res.status).to.equal(503);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(String(res.body.html)).to.contain('https://github.com/Shopify/error-pages');
  });

  it("fixedStatus: every request answers the status with Shopify's body until cleared", async () => {
    sandbox.faults.set({ fixedStatus: 402 });
    for (let i = 0; i < 2; i++) {
      const res = await gql(sandbox, '2026-10', SHOP);
      expect(res.status).to.equal(402);
      expect(res.body).to.deep.equal({ errors: 'Unavailable Shop' });
    }
    sandbox.faults.set({ fixedStatus: 423 });
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(423);
    sandbox.faults.clear();
    expect((await gql(sandbox, '2026-10', SHOP)).status).to.equal(200);
  });

  it('foreignOperations: other runs hold every slot and OPERATION_IN_PROGRESS lists them; 0 frees them', async () => {
    sandbox.faults.set({ foreignOperations: 5 });
    const foreign = sandbox.operations().filter((o) => o.foreign).map((o) => o.id);
    expect(foreign).to.have.length(5);
    const { op, userErrors } = await runQuery(sandbox, '2026-10', PRODUCTS);
    expect(op).to.equal(null);
    expect(userErrors).to.deep.equal([{ field: null, code: 'OPERATION_IN_PROGRESS', message: `A bulk query operation for this app and shop is already in progress: ${foreign.join(', ')}.` }]);
    sandbox.faults.set({ foreignOperations: 0 });
    expect((await runQuery(sandbox, '2026-10', PRODUCTS)).op?.status).to.equal('CREATED');
  });

  it('failed INTERNAL_SERVER_ERROR: FAILED with a partialDataUrl holding part of the file', async () => {
    const op = await finished({ failed: 1, failedErrorCode: 'INTERNAL_SERVER_ERROR' });
    expect(op).to.deep.include({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', url: null });
    const partial = await (await fetch(op.partialDataUrl ?? '')).text();
    const lines = partial.trimEnd().split('\n');
    expect(lines.length).to.equal(Number(op.objectCount)).and.be.greaterThan(0);
    const complete = await finished({});
    expect(lines.length).to.be.lessThan(Number(complete.objectCount));
  });

  it('failed TIMEOUT and ACCESS_DENIED: the error code, no data for a denied scope', async () => {
    expect((await finished({ failed: 1, failedErrorCode: 'TIMEOUT' })).errorCode).to.equal('TIMEOUT');
    const denied = await finished({ failed: 1, failedErrorCode: 'ACCESS_DENIED' });
    expect(denied).to.deep.include({ status: 'FAILED', errorCode: 'ACCESS_DENIED', partialDataUrl: null, url: null, objectCount: '0' });
  });

  it('objectLimit: an operation reading more objects ends FAILED with TIMEOUT and partial data; one within it completes; it stands until changed', async () => {
    const whole = await finished({});
    const objects = Number(whole.objectCount);
    for (let i = 0; i < 2; i++) {
      const op = await finished({ objectLimit: objects - 1 });
      expect(op).to.deep.include({ status: 'FAILED', errorCode: 'TIMEOUT', url: null });
      expect(Number(op.objectCount)).to.be.within(1, objects - 1);
      expect(op.partialDataUrl).to.be.a('string');
    }
    expect(await finished({ objectLimit: objects })).to.deep.include({ status: 'COMPLETED', objectCount: String(objects) });
    expect(await finished({ objectLimit: null })).to.deep.include({ status: 'COMPLETED' });
  });

  it('canceled: Shopify cancels the running operation (no CANCELING step)', async () => {
    sandbox.faults.set({ canceled: 1 });
    const { op } = await runQuery(sandbox, '2026-10', PRODUCTS);
    const { op: done, seen } = await pollToEnd(sandbox, '2026-10', op?.id ?? '');
    expect(done).to.deep.include({ status: 'CANCELED', url: null, completedAt: null });
    expect(seen).to.not.include('CANCELING');
  });

  it('stuck: the operation stays CREATED until cancelled', async () => {
    sandbox.faults.set({ stuck: 1 });
    const { op } = await runQuery(sandbox, '2026-10', PRODUCTS);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await readOperation(sandbox, '2026-10', op?.id ?? ''))?.status).to.equal('CREATED');
    await gql(sandbox, '2026-10', { query: 'mutation C($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }', variables: { id: op?.id } });
    expect((await pollToEnd(sandbox, '2026-10', op?.id ?? '')).op.status).to.equal('CANCELED');
  });

  it('expiredUrls: COMPLETED with a URL that is already expired, then EXPIRED', async () => {
    const op = await finished({ expiredUrls: 1 });
    expect(op.status).to.equal('COMPLETED');
    expect((await fetch(op.url ?? '')).status).to.equal(400);
    expect((await readOperation(sandbox, '2026-10', op.id))?.status).to.equal('EXPIRED');
  });

  it('cutDownloads: the next download dies after K bytes; a Range request resumes it', async () => {
    const op = await finished({});
    sandbox.faults.set({ cutDownloads: 1, cutAfterBytes: 50 });
    const res = await fetch(op.url ?? '');
    expect(res.status).to.equal(200);
    let failed = false;
    await res.arrayBuffer().catch(() => { failed = true; });
    expect(failed).to.equal(true);
    const whole = await (await fetch(op.url ?? '')).text();
    const rest = await (await fetch(op.url ?? '', { headers: { Range: 'bytes=50-' } })).text();
    expect(Buffer.from(whole).subarray(50).toString()).to.equal(rest);
  });

  it('records whether an operation\'s result was read whole, across a cut and the Range request resuming it', async () => {
    const op = await finished({});
    const resultRead = (): boolean => sandbox.operations().find((o) => o.id === op.id)!.resultRead;
    expect(resultRead(), 'not downloaded yet').to.equal(false);
    sandbox.faults.set({ cutDownloads: 1, cutAfterBytes: 50 });
    await (await fetch(op.url ?? '')).arrayBuffer().catch(() => undefined);
    expect(resultRead(), 'cut after 50 bytes').to.equal(false);
    await (await fetch(op.url ?? '', { headers: { Range: 'bytes=60-' } })).arrayBuffer();
    expect(resultRead(), 'bytes 50-59 never sent').to.equal(false);
    await (await fetch(op.url ?? '', { headers: { Range: 'bytes=50-59' } })).arrayBuffer();
    expect(resultRead(), 'every byte sent').to.equal(true);
  });

  it('malformedLines: line K of the file is not JSON; the others are', async () => {
    const op = await finished({ malformedLines: 1, malformedLineAt: 2 });
    const lines = (await (await fetch(op.url ?? '')).text()).trimEnd().split('\n');
    expect(lines).to.have.length(Number(op.objectCount));
    expect(() => JSON.parse(lines[1] ?? '')).to.throw(SyntaxError);
    for (const [i, line] of lines.entries()) if (i !== 1) JSON.parse(line);
  });

  it('droppedLines: the file has M fewer lines than objectCount', async () => {
    const op = await finished({ droppedLines: 1, droppedLineCount: 3 });
    const body = await (await fetch(op.url ?? '')).text();
    expect(body.trimEnd().split('\n')).to.have.length(Number(op.objectCount) - 3);
    expect(Buffer.byteLength(body)).to.equal(Number(op.fileSize));
  });

  it('omittedRecords: M root records are left out with their children, objectCount agreeing; productsCount still counts them', async () => {
    const whole = await finished({});
    const short = await finished({ omittedRecords: 1, omittedRecordCount: 2 });
    const roots = (op: typeof whole) => Number(op.rootObjectCount);
    expect(roots(short)).to.equal(roots(whole) - 2);
    const lines = (await (await fetch(short.url ?? '')).text()).trimEnd().split('\n');
    expect(lines).to.have.length(Number(short.objectCount));
    expect(lines.filter((l) => !l.includes('__parentId'))).to.have.length(roots(short));
    const counted = await gql(sandbox, '2026-10', { query: '{ productsCount(limit: null) { count precision } }' });
    expect(counted.body.data).to.deep.equal({ productsCount: { count: roots(whole), precision: 'EXACT' } });
    expect(roots(await finished({}))).to.equal(roots(whole));
  });

  it('cappedConnections: each parent keeps its first M nested nodes, objectCount agreeing; the parent\'s own count still counts them all', async () => {
    const codes = '{ codeDiscountNodes { edges { node { __typename id codeDiscount { ... on DiscountCodeBasic { codesCount { count } codes { edges { node { __typename id code } } } } } } } } }';
    const read = async (faults: Parameters<Sandbox['faults']['set']>[0]) => {
      sandbox.faults.set(faults);
      const { op } = await runQuery(sandbox, '2026-10', codes);
      const done = (await pollToEnd(sandbox, '2026-10', op?.id ?? '')).op;
      const lines = (await (await fetch(done.url ?? '')).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).to.have.length(Number(done.objectCount));
      return lines;
    };
    const childrenOf = (lines: Array<Record<string, unknown>>) => {
      const by = new Map<unknown, number>();
      for (const l of lines) if (l.__parentId) by.set(l.__parentId, (by.get(l.__parentId) ?? 0) + 1);
      return by;
    };
    const whole = await read({});
    const capped = await read({ cappedConnections: 1, connectionCap: 2 });
    const counted = new Map(whole.filter((l) => !l.__parentId).map((l) => [l.id, ((l.codeDiscount as { codesCount?: { count: number } }).codesCount?.count) ?? 0]));
    expect([...childrenOf(whole)].every(([parent, n]) => counted.get(parent) === n)).to.equal(true);
    expect(Math.max(...childrenOf(whole).values()), 'a discount with more codes than the cap').to.be.greaterThan(2);
    expect([...childrenOf(capped)].every(([parent, n]) => n === Math.min(2, counted.get(parent)!))).to.equal(true);
    expect(capped.filter((l) => !l.__parentId)).to.deep.equal(whole.filter((l) => !l.__parentId));
    expect(await read({})).to.deep.equal(whole);
  });

  it('faults given at start apply from the first request', async () => {
    const own = await startSandbox({ seed: 1, size: SIZE, faults: { fixedStatus: 401 } });
    try {
      expect((await gql(own, '2026-10', SHOP)).status).to.equal(401);
    } finally {
      await own.close();
    }
  });
});

describe('parseFaultSpec (the --fault flag)', () => {
  it('reads counts and arguments', () => {
    expect(parseFaultSpec('throttle=2,server-error=3@503,fail=1@timeout,cut=1@4096,status=423,malformed=1@5,drop=2@3,rate-limit=1@7,foreign=5,cancel=1,stuck=1,expire=1,maintenance=2,omit=1@4,objects=500,cap=1@250')).to.deep.equal({
      objectLimit: 500, throttled: 2, serverErrors: 3, serverErrorStatus: 503, failed: 1, failedErrorCode: 'TIMEOUT', cutDownloads: 1, cutAfterBytes: 4096,
      fixedStatus: 423, malformedLines: 1, malformedLineAt: 5, droppedLines: 2, droppedLineCount: 3, rateLimited: 1, retryAfterSeconds: 7,
      foreignOperations: 5, canceled: 1, stuck: 1, expiredUrls: 1, maintenance: 2, omittedRecords: 1, omittedRecordCount: 4,
      cappedConnections: 1, connectionCap: 250,
    });
  });

  it('explains what is wrong', () => {
    expect(() => parseFaultSpec('status=500')).to.throw(/401, 402, 403, 404 or 423/);
    expect(() => parseFaultSpec('explode=1')).to.throw(/unknown fault "explode"/);
    expect(() => parseFaultSpec('fail=1@oops')).to.throw(/internal, timeout or access-denied/);
    expect(() => parseFaultSpec('throttle')).to.throw(/name=N/);
  });
});
