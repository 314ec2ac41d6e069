import { expect } from 'chai';
import { EtlError, ErrorCodes } from '../../src/errors/index.ts';
import type { Action, ErrorCode } from '../../src/errors/index.ts';
import { staticToken } from '../../src/shopify/auth.ts';
import { BulkClient } from '../../src/shopify/bulk.ts';
import { assertCompleted, type BulkOperation, type BulkStatus } from '../../src/shopify/operation.ts';
import { ShopifyClient } from '../../src/shopify/client.ts';
import * as captured from './captures.ts';
import type { Capture } from './captures.ts';
import { costExtension, failure, fakeClock, reply, sendJson, startServer } from './harness.ts';
import type { FakeClock, Handler, TestServer } from './harness.ts';

type RawOp = Record<string, unknown>;

/** The BulkOperation object inside a captured response (`data.<field>[.bulkOperation]`). */
function opIn(capture: Capture): RawOp {
  const data = capture.data as Record<string, Record<string, unknown>>;
  const top = Object.values(data)[0] as Record<string, unknown>;
  return structuredClone((top.bulkOperation ?? top) as RawOp);
}

function getAnswer(op: RawOp | null): Handler {
  return reply({ data: { bulkOperation: op }, extensions: costExtension() });
}

/** Answers with each handler in turn, repeating the last one. */
function sequence(...handlers: Handler[]): Handler {
  let i = 0;
  return (req, res) => {
    const handler = handlers[Math.min(i, handlers.length - 1)];
    i += 1;
    return handler?.(req, res);
  };
}

const RUNNING_COUNTED = opIn(captured.POLL_RUNNING_COUNTED);
const COMPLETED: RawOp = {
  ...RUNNING_COUNTED,
  status: 'COMPLETED',
  completedAt: '2026-06-23T22:57:40Z',
  fileSize: '412306',
  url: (opIn(captured.GET_COMPLETED).url as string),
};
const CANCELED: RawOp = { ...RUNNING_COUNTED, status: 'CANCELED' };
const CREATED_AT = Date.parse(RUNNING_COUNTED.createdAt as string);

describe('BulkClient', () => {
  let server: TestServer;
  let clock: FakeClock;

  afterEach(async () => {
    await server?.close();
  });

  /** A Shopify GraphQL endpoint that answers by operation name. */
  async function bulkFor(routes: Record<string, Handler>, apiVersion = '2026-04', start = CREATED_AT): Promise<BulkClient> {
    server = await startServer((req, res) => {
      const route = routes[req.json?.operationName ?? ''];
      if (!route) return sendJson(res, 599, { errors: [{ message: `unscripted ${req.json?.operationName ?? '?'}` }] });
      return route(req, res);
    });
    clock = fakeClock(start);
    const client = new ShopifyClient({ adminUrl: server.url, shop: 'acme.myshopify.com', apiVersion, token: staticToken('shpat_test'), sleep: clock.sleep, now: clock.now });
    return new BulkClient(client, { apiVersion, sleep: clock.sleep, now: clock.now, cancelTimeoutMs: 5_000 });
  }

  function calls(operationName: string): number {
    return server.requests.filter((r) => r.json?.operationName === operationName).length;
  }

  describe('submit', () => {
    it('returns the CREATED operation with string counters parsed to numbers', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_CREATED) });
      const op = await bulk.submit('{ products { edges { node { id } } } }');
      expect(op).to.deep.equal({
        id: 'gid://shopify/BulkOperation/7933223797042',
        status: 'CREATED',
        errorCode: null,
        objectCount: 0,
        rootObjectCount: 0,
        fileSize: null,
        url: null,
        partialDataUrl: null,
        createdAt: '2026-06-16T08:06:19Z',
        completedAt: null,
        query: '#graphql\n{\n  products {\n    edges {\n      node {\n        id\n      }\n    }\n  }\n}',
      });
      const [req] = server.requests;
      expect(req?.json?.variables).to.deep.equal({ query: '{ products { edges { node { id } } } }' });
      expect(req?.json?.query).not.to.include('groupObjects');
    });

    it('passes groupObjects when asked and the version has it', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_CREATED) }, '2026-01');
      await bulk.submit('{ products { edges { node { id } } } }', { groupObjects: true });
      const [req] = server.requests;
      expect(req?.json?.query).to.include('groupObjects: $groupObjects');
      expect(req?.json?.variables?.groupObjects).to.equal(true);
    });

    it('leaves groupObjects out before 2025-07, where the argument does not exist', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_CREATED) }, '2025-04');
      await bulk.submit('{ products { edges { node { id } } } }', { groupObjects: false });
      expect(server.requests[0]?.json?.query).not.to.include('groupObjects');
    });

    it('OPERATION_IN_PROGRESS lists the five running ids and is not resubmitted', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_IN_PROGRESS_FIVE) });
      const err = await failure(bulk.submit('{ products { edges { node { id } } } }'));
      expect(err.code).to.equal(ErrorCodes.OPERATION_IN_PROGRESS);
      expect(err.action).to.equal('resend');
      expect(err.details.runningIds).to.deep.equal([
        'gid://shopify/BulkOperation/7933223797042',
        'gid://shopify/BulkOperation/7933223829810',
        'gid://shopify/BulkOperation/7933223862578',
        'gid://shopify/BulkOperation/7933223895346',
        'gid://shopify/BulkOperation/7933223928114',
      ]);
      expect(calls('BulkOperationRunQuery')).to.equal(1);
    });

    it('OPERATION_IN_PROGRESS on 2025-01 names the one running id', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_IN_PROGRESS_ONE) }, '2025-01');
      const err = await failure(bulk.submit('{ products { edges { node { id } } } }'));
      expect(err.code).to.equal(ErrorCodes.OPERATION_IN_PROGRESS);
      expect(err.details.runningIds).to.deep.equal(['gid://shopify/BulkOperation/7749099028786']);
    });

    it('INVALID userErrors → BULK_QUERY_INVALID with every message', async () => {
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(captured.RUN_INVALID_TOP_LEVEL_NODE) });
      const err = await failure(bulk.submit('{ node(id: "gid://shopify/Product/1") { id } }'));
      expect(err.code).to.equal(ErrorCodes.BULK_QUERY_INVALID);
      expect(err.action).to.equal('fail');
      expect(err.message).to.include('Bulk queries cannot contain a top level `node` field.').and.include('Bulk queries must contain at least one connection.');
    });

    it('LIMIT_REACHED is THROTTLED', async () => {
      const limited = { data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: null, message: 'Bulk operations limit reached. Please try again later.', code: 'LIMIT_REACHED' }] } }, extensions: costExtension({ requested: 10 }) };
      const bulk = await bulkFor({ BulkOperationRunQuery: reply(limited) });
      const err = await failure(bulk.submit('{ products { edges { node { id } } } }'));
      expect(err.code).to.equal(ErrorCodes.THROTTLED);
      expect(err.action).to.equal('resend');
    });

    it('after a lost answer, adopts the operation Shopify runs for this exact query instead of resubmitting', async () => {
      const created = opIn(captured.RUN_CREATED);
      const page = (nodes: RawOp[]) => ({ edges: [], nodes, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
      const bulk = await bulkFor({
        BulkOperationRunQuery: sequence(reply({}, 502), reply(captured.RUN_CREATED)),
        BulkOperationsRunning: reply({ data: { running: page([]), created: page([created]) }, extensions: costExtension({ requested: 24, actual: 10 }) }),
      });
      const op = await bulk.submit(created.query as string);
      expect(op.id).to.equal(created.id);
      expect(calls('BulkOperationRunQuery')).to.equal(1);
      expect(calls('BulkOperationsRunning')).to.equal(1);
    });

    it('after a lost answer with nothing running, submits again', async () => {
      const empty = (captured.CATALOG_EMPTY.data as Record<string, unknown>).bulkOperations;
      const bulk = await bulkFor({
        BulkOperationRunQuery: sequence(reply({}, 502), reply(captured.RUN_CREATED)),
        BulkOperationsRunning: reply({ data: { running: empty, created: empty }, extensions: costExtension() }),
      });
      const op = await bulk.submit('{ products { edges { node { id } } } }');
      expect(op.status).to.equal('CREATED');
      expect(calls('BulkOperationRunQuery')).to.equal(2);
    });
  });

  describe('get', () => {
    it('reads bulkOperation(id:) from 2026-01', async () => {
      const bulk = await bulkFor({ BulkOperation: reply(captured.GET_COMPLETED) });
      const op = await bulk.get('gid://shopify/BulkOperation/8072963391794');
      expect(op?.status).to.equal('COMPLETED');
      expect(op?.objectCount).to.equal(1459);
      expect(op?.rootObjectCount).to.equal(1459);
      expect(op?.fileSize).to.equal(116246);
      expect(op?.url).to.match(/^https:\/\/storage\.googleapis\.com\//);
      expect(server.requests[0]?.json?.variables).to.deep.equal({ id: 'gid://shopify/BulkOperation/8072963391794' });
    });

    it('returns null for an unknown id', async () => {
      const bulk = await bulkFor({ BulkOperation: reply(captured.GET_UNKNOWN) });
      expect(await bulk.get('gid://shopify/BulkOperation/0')).to.equal(null);
    });

    it('reads node(id:) before 2026-01', async () => {
      const effective = (captured.NODE_COMPLETED.data as Record<string, unknown>).effective;
      const bulk = await bulkFor({ BulkOperationNode: reply({ data: { node: effective }, extensions: costExtension() }) }, '2025-10');
      const op = await bulk.get('gid://shopify/BulkOperation/8072963391794');
      expect(op?.status).to.equal('COMPLETED');
      expect(op?.objectCount).to.equal(1459);
      expect(server.requests[0]?.json?.query).to.include('node(id: $id)');
    });
  });

  describe('cancel', () => {
    it('returns CANCELING for a running operation, keeping its counters', async () => {
      const bulk = await bulkFor({ BulkOperationCancel: reply(captured.CANCEL_CANCELING) });
      const op = await bulk.cancel('gid://shopify/BulkOperation/7964079784242');
      expect(op?.status).to.equal('CANCELING');
      expect(op?.objectCount).to.equal(5033);
      expect(op?.rootObjectCount).to.equal(1456);
    });

    it('returns a completed operation unchanged ("cannot be canceled when it is completed")', async () => {
      const bulk = await bulkFor({ BulkOperationCancel: reply(captured.CANCEL_COMPLETED) });
      const op = await bulk.cancel('gid://shopify/BulkOperation/8072963391794');
      expect(op?.status).to.equal('COMPLETED');
    });

    it('returns null for an unknown id ("Bulk operation does not exist")', async () => {
      const bulk = await bulkFor({ BulkOperationCancel: reply(captured.CANCEL_UNKNOWN) });
      expect(await bulk.cancel('gid://shopify/BulkOperation/0')).to.equal(null);
    });
  });

  describe('find', () => {
    const other = { ...COMPLETED, id: 'gid://shopify/BulkOperation/1', query: '{ customers { edges { node { id } } } }' };

    it('searches bulkOperations created since the given time, newest first, and returns the one running this exact query', async () => {
      const empty = (captured.CATALOG_EMPTY.data as Record<string, Record<string, unknown>>).bulkOperations;
      const bulk = await bulkFor({ BulkOperationsSince: reply({ data: { bulkOperations: { ...empty, nodes: [other, COMPLETED] } }, extensions: costExtension() }) });
      const op = await bulk.find(COMPLETED.query as string, new Date(CREATED_AT - 60_000));
      expect(op?.id).to.equal(COMPLETED.id);
      expect(op?.status).to.equal('COMPLETED');
      const sent = server.requests[0]?.json;
      expect(sent?.variables).to.deep.equal({ search: `operation_type:query created_at:>='${new Date(CREATED_AT - 60_000).toISOString()}'` });
      expect(sent?.query).to.include('sortKey: CREATED_AT, reverse: true');
      expect(await bulk.find('{ products { edges { node { title } } } }', new Date(CREATED_AT))).to.equal(null);
    });

    it('before 2026-01, takes currentBulkOperation when it runs this query and was created since then', async () => {
      const bulk = await bulkFor({ CurrentBulkOperation: reply({ data: { currentBulkOperation: RUNNING_COUNTED }, extensions: costExtension() }) }, '2025-01');
      expect((await bulk.find(RUNNING_COUNTED.query as string, new Date(CREATED_AT - 1000)))?.id).to.equal(RUNNING_COUNTED.id);
      expect(await bulk.find(RUNNING_COUNTED.query as string, new Date(CREATED_AT + 1000)), 'created before').to.equal(null);
      expect(await bulk.find('{ products { edges { node { title } } } }', new Date(CREATED_AT - 1000)), 'another query').to.equal(null);
    });
  });

  describe('running', () => {
    it('lists RUNNING and CREATED query operations from bulkOperations on 2026-01+', async () => {
      const empty = (captured.CATALOG_EMPTY.data as Record<string, Record<string, unknown>>).bulkOperations;
      const bulk = await bulkFor({
        BulkOperationsRunning: reply({
          data: { running: { ...empty, nodes: [opIn(captured.POLL_RUNNING_COUNTED)] }, created: { ...empty, nodes: [opIn(captured.RUN_CREATED)] } },
          extensions: costExtension(),
        }),
      });
      const ops = await bulk.running();
      expect(ops.map((op) => op.status)).to.deep.equal(['RUNNING', 'CREATED']);
      const query = server.requests[0]?.json?.query ?? '';
      expect(query).to.include('status:running operation_type:query').and.include('status:created operation_type:query');
    });

    it('is empty when bulkOperations lists nothing', async () => {
      const empty = (captured.CATALOG_EMPTY.data as Record<string, unknown>).bulkOperations;
      const bulk = await bulkFor({ BulkOperationsRunning: reply({ data: { running: empty, created: empty }, extensions: costExtension() }) });
      expect(await bulk.running()).to.deep.equal([]);
    });

    it('reads currentBulkOperation before 2026-01 and ignores a finished one', async () => {
      const bulk = await bulkFor({ CurrentBulkOperation: reply(captured.CURRENT_COMPLETED) }, '2025-01');
      expect(await bulk.running()).to.deep.equal([]);
    });

    it('reports a running currentBulkOperation before 2026-01', async () => {
      const bulk = await bulkFor({ CurrentBulkOperation: reply({ data: { currentBulkOperation: RUNNING_COUNTED }, extensions: costExtension() }) }, '2025-01');
      const ops = await bulk.running();
      expect(ops.map((op) => op.id)).to.deep.equal([RUNNING_COUNTED.id]);
    });
  });

  describe('poll', () => {
    const bounds = { initialIntervalMs: 1_000, maxIntervalMs: 2_000, createdTimeoutMs: 60_000, runningTimeoutMs: 3_600_000 };

    it('follows CREATED → RUNNING → COMPLETED with growing intervals', async () => {
      const bulk = await bulkFor({
        BulkOperation: sequence(reply(captured.POLL_CREATED), reply(captured.POLL_RUNNING_ZERO), reply(captured.POLL_RUNNING_COUNTED), getAnswer(COMPLETED)),
      });
      const seen: Array<[BulkStatus, number]> = [];
      const op = await bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, onProgress: (p) => seen.push([p.status, p.objectCount]) });
      expect(op.status).to.equal('COMPLETED');
      expect(op.objectCount).to.equal(5033);
      expect(seen).to.deep.equal([
        ['CREATED', 0],
        ['RUNNING', 0],
        ['RUNNING', 5033],
        ['COMPLETED', 5033],
      ]);
      expect(clock.sleeps).to.deep.equal([1_000, 1_500, 2_000]);
    });

    for (const status of ['FAILED', 'CANCELED', 'EXPIRED'] as const) {
      it(`returns ${status} for assertCompleted to judge`, async () => {
        const bulk = await bulkFor({ BulkOperation: getAnswer({ ...RUNNING_COUNTED, status, errorCode: status === 'FAILED' ? 'INTERNAL_SERVER_ERROR' : null }) });
        const op = await bulk.poll(RUNNING_COUNTED.id as string, bounds);
        expect(op.status).to.equal(status);
      });
    }

    /** An operation that reports `before` until it is cancelled, then `after`. */
    function untilCancelled(before: Capture, after: Handler): Record<string, Handler> {
      let cancelled = false;
      return {
        BulkOperation: (req, res) => (cancelled ? after(req, res) : reply(before)(req, res)),
        BulkOperationCancel: (req, res) => {
          cancelled = true;
          return reply(captured.CANCEL_CANCELING)(req, res);
        },
      };
    }

    it('cancels an operation stuck in CREATED, waits for CANCELED and throws BULK_STUCK', async () => {
      const bulk = await bulkFor(untilCancelled(captured.POLL_CREATED, sequence(reply(captured.POLL_CANCELING), getAnswer(CANCELED))));
      const err = await failure(bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, createdTimeoutMs: 5_000 }));
      expect(err.code).to.equal(ErrorCodes.BULK_STUCK);
      expect(err.action).to.equal('resubmit');
      expect(err.details).to.include({ phase: 'created', status: 'CREATED', statusAfterCancel: 'CANCELED' });
      expect(calls('BulkOperationCancel')).to.equal(1);
      // polls at 0, 1, 2.5, 4.5 and 6.5 s: the fifth is past the 5 s bound
      expect(clock.sleeps.slice(0, 4)).to.deep.equal([1_000, 1_500, 2_000, 2_000]);
    });

    it('cancels an operation running past the overall bound, waits a bounded time for CANCELED, and throws BULK_STUCK', async () => {
      const bulk = await bulkFor(untilCancelled(captured.POLL_RUNNING_COUNTED, reply(captured.POLL_CANCELING)));
      const err = await failure(bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, runningTimeoutMs: 3_000 }));
      expect(err.code).to.equal(ErrorCodes.BULK_STUCK);
      expect(err.action).to.equal('split');
      expect(err.details).to.include({ phase: 'running', status: 'RUNNING', statusAfterCancel: 'CANCELING' });
      // CANCELING forever: the wait for CANCELED ends at cancelTimeoutMs (5 s), after a handful of polls
      const afterCancel = clock.sleeps.slice(3).reduce((a, b) => a + b, 0);
      expect(afterCancel).to.be.at.least(5_000).and.at.most(5_000 + bounds.maxIntervalMs);
    });

    it('cancels a running operation that reports more objects than maxObjects, and throws BULK_STUCK (its window is split)', async () => {
      const bulk = await bulkFor(untilCancelled(captured.POLL_RUNNING_COUNTED, getAnswer(CANCELED)));
      const reported = Number(RUNNING_COUNTED.objectCount);
      const err = await failure(bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, maxObjects: reported - 1 }));
      expect(err.code).to.equal(ErrorCodes.BULK_STUCK);
      expect(err.action).to.equal('split');
      expect(err.details).to.include({ phase: 'too_large', statusAfterCancel: 'CANCELED' });
      expect(err.message).to.contain(`had read ${reported} objects, past the --max-objects limit of ${reported - 1}`);
      expect(calls('BulkOperationCancel')).to.equal(1);
    });

    it('lets a running operation go on while it stays within maxObjects', async () => {
      const bulk = await bulkFor({ BulkOperation: sequence(reply(captured.POLL_RUNNING_COUNTED), getAnswer(COMPLETED)) });
      const op = await bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, maxObjects: Number(RUNNING_COUNTED.objectCount) });
      expect(op.status).to.equal('COMPLETED');
      expect(calls('BulkOperationCancel')).to.equal(0);
    });

    it("counts an adopted operation's age from its createdAt", async () => {
      const bulk = await bulkFor(
        { BulkOperation: sequence(reply(captured.POLL_RUNNING_COUNTED), getAnswer(CANCELED)), BulkOperationCancel: reply(captured.CANCEL_CANCELING) },
        '2026-04',
        CREATED_AT + 2 * 3_600_000,
      );
      const err = await failure(bulk.poll(RUNNING_COUNTED.id as string, bounds));
      expect(err.code).to.equal(ErrorCodes.BULK_STUCK);
      expect(calls('BulkOperation')).to.equal(2);
    });

    it('returns the operation when it completes while being cancelled', async () => {
      const completedAnswer = structuredClone(captured.CANCEL_COMPLETED);
      const bulk = await bulkFor({
        BulkOperation: reply(captured.POLL_RUNNING_COUNTED),
        BulkOperationCancel: reply(completedAnswer),
      });
      const op = await bulk.poll(RUNNING_COUNTED.id as string, { ...bounds, runningTimeoutMs: 500 });
      expect(op.status).to.equal('COMPLETED');
    });

    it('an id Shopify does not know is BULK_FAILED (its window is extracted again)', async () => {
      const bulk = await bulkFor({ BulkOperation: reply(captured.GET_UNKNOWN) });
      const err = await failure(bulk.poll('gid://shopify/BulkOperation/0', bounds));
      expect(err.code).to.equal(ErrorCodes.BULK_FAILED);
      expect(err.action).to.equal('resubmit');
    });

    it('stops with INTERRUPTED when the signal aborts between polls', async () => {
      const controller = new AbortController();
      const bulk = await bulkFor({ BulkOperation: reply(captured.POLL_RUNNING_ZERO) });
      const err = await failure(
        bulk.poll(RUNNING_COUNTED.id as string, {
          ...bounds,
          signal: controller.signal,
          onProgress: () => controller.abort(),
        }),
      );
      expect(err.code).to.equal(ErrorCodes.INTERRUPTED);
    });
  });
});

describe('assertCompleted', () => {
  const base: BulkOperation = {
    id: 'gid://shopify/BulkOperation/1',
    status: 'COMPLETED',
    errorCode: null,
    objectCount: 3,
    rootObjectCount: 1,
    fileSize: 528,
    url: 'https://storage.googleapis.com/bucket/file.jsonl',
    partialDataUrl: null,
    createdAt: '2026-07-19T12:41:47Z',
    completedAt: '2026-07-19T12:41:47Z',
    query: null,
  };

  it('accepts COMPLETED with a URL, and COMPLETED with nothing matched', () => {
    expect(() => assertCompleted(base)).not.to.throw();
    expect(() => assertCompleted({ ...base, objectCount: 0, rootObjectCount: 0, fileSize: null, url: null })).not.to.throw();
  });

  const failures: Array<[string, Partial<BulkOperation>, ErrorCode, Action]> = [
    ['COMPLETED with objects but no URL (silent loss)', { url: null }, ErrorCodes.VERIFY_MISMATCH, 'fail'],
    ['FAILED ACCESS_DENIED', { status: 'FAILED', errorCode: 'ACCESS_DENIED', url: null }, ErrorCodes.ACCESS_DENIED, 'fail'],
    ['FAILED INTERNAL_SERVER_ERROR', { status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', url: null }, ErrorCodes.BULK_FAILED, 'resubmit'],
    ['FAILED internal_server_error (webhook case)', { status: 'FAILED', errorCode: 'internal_server_error', url: null }, ErrorCodes.BULK_FAILED, 'resubmit'],
    ['FAILED with an unknown errorCode', { status: 'FAILED', errorCode: null, url: null }, ErrorCodes.BULK_FAILED, 'resubmit'],
    ['FAILED TIMEOUT', { status: 'FAILED', errorCode: 'TIMEOUT', url: null, partialDataUrl: 'https://storage.googleapis.com/p' }, ErrorCodes.BULK_TIMEOUT, 'split'],
    ['CANCELED', { status: 'CANCELED', url: null }, ErrorCodes.BULK_CANCELED, 'resubmit'],
    ['EXPIRED', { status: 'EXPIRED', url: null }, ErrorCodes.BULK_EXPIRED, 'resubmit'],
    ['CREATED (not terminal)', { status: 'CREATED', url: null }, ErrorCodes.INTERNAL, 'fail'],
    ['RUNNING (not terminal)', { status: 'RUNNING', url: null }, ErrorCodes.INTERNAL, 'fail'],
    ['CANCELING (not terminal)', { status: 'CANCELING', url: null }, ErrorCodes.INTERNAL, 'fail'],
  ];
  for (const [name, change, code, action] of failures) {
    it(`${name} → ${code}`, () => {
      try {
        assertCompleted({ ...base, ...change });
        expect.fail('expected assertCompleted to throw');
      } catch (err) {
        expect(err).to.be.instanceOf(EtlError);
        expect((err as EtlError).code).to.equal(code);
        expect((err as EtlError).action).to.equal(action);
      }
    });
  }
});
