import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEtlError } from '../../src/errors/index.ts';
import { StateDb } from '../../src/state/db.ts';
import { MIGRATIONS } from '../../src/state/schema.ts';

const op = (id: string) => ({ id, status: 'CREATED', errorCode: null, objectCount: 0, rootObjectCount: 0, fileSize: null, url: null, completedAt: null });
const file = (name: string) => ({ localPath: `/tmp/${name}`, objectName: `orders/${name}`, crc32c: 'AAAAAA==', bytes: 10, rows: 2, contentType: 'application/gzip' });

describe('state database', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-'));
    path = join(dir, 'state.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the watermark only in the commit, only forward, and only when contiguous', () => {
    const db = StateDb.open(path);
    db.runs.start('r1', 's');
    const first = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2026-01-10T00:00:00.000Z' });
    expect(db.windows.watermark('s', 'orders')).to.equal(null);
    expect(db.windows.commit(first).watermark).to.equal('2026-01-10T00:00:00.000Z');
    // a backfill of a later, disjoint range leaves the watermark alone
    const gap = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: '2026-02-01T00:00:00.000Z', until: '2026-03-01T00:00:00.000Z' });
    expect(db.windows.commit(gap).watermark).to.equal('2026-01-10T00:00:00.000Z');
    // an overlapping window moves it forward
    const next = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: '2026-01-09T22:00:00.000Z', until: '2026-01-11T00:00:00.000Z' });
    expect(db.windows.commit(next).watermark).to.equal('2026-01-11T00:00:00.000Z');
    // an older window never moves it back
    const old = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: '2025-01-01T00:00:00.000Z', until: '2025-02-01T00:00:00.000Z' });
    expect(db.windows.commit(old).watermark).to.equal('2026-01-11T00:00:00.000Z');
    db.close();
    expect(StateDb.open(path).windows.watermark('s', 'orders')).to.equal('2026-01-11T00:00:00.000Z');
  });

  it('moves the watermark on the last id-range part of a window only: the parts before it leave ids unread', () => {
    const db = StateDb.open(path);
    db.runs.start('r1', 's');
    db.windows.commit(db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2026-01-10T00:00:00.000Z' }));
    const range = { runId: 'r1', shop: 's', entity: 'orders', since: '2026-01-10T00:00:00.000Z', until: '2026-01-10T00:30:00.000Z' };
    const low = db.windows.create({ ...range, idAfter: null, idThrough: '5612000000500' });
    expect(db.windows.get(low)).to.include({ id_after: null, id_through: '5612000000500' });
    expect(db.windows.commit(low).watermark).to.equal('2026-01-10T00:00:00.000Z');
    const middle = db.windows.create({ ...range, idAfter: '5612000000500', idThrough: '5612000000900' });
    expect(db.windows.commit(middle).watermark).to.equal('2026-01-10T00:00:00.000Z');
    const last = db.windows.create({ ...range, idAfter: '5612000000900', idThrough: null });
    expect(db.windows.get(last)).to.include({ id_after: '5612000000900', id_through: null });
    expect(db.windows.commit(last).watermark).to.equal('2026-01-10T00:30:00.000Z');
    db.close();
  });

  it('never moves the watermark past the time the window was planned', () => {
    const db = StateDb.open(path, () => new Date('2026-03-01T12:00:00.000Z'));
    db.runs.start('r1', 's');
    const future = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2027-01-01T00:00:00.000Z' });
    expect(db.windows.commit(future).watermark).to.equal('2026-03-01T12:00:00.000Z');
    expect(db.windows.watermark('s', 'orders')).to.equal('2026-03-01T12:00:00.000Z');
    db.close();
  });

  it('keeps no signed result URL, and removes those an older state kept', () => {
    const signed = 'https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-1.jsonl?GoogleAccessId=x&Signature=secret';
    // A state as the first schema version wrote it, with a URL stored.
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO runs (run_id, shop, started_at, status) VALUES ('r0', 's', '2026-01-01T00:00:00.000Z', 'succeeded')`).run();
    old.prepare(`INSERT INTO windows (window_id, run_id, shop, entity, since, until, status, created_at, updated_at) VALUES (1, 'r0', 's', 'orders', NULL, '2026-01-01T00:00:00.000Z', 'committed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`).run();
    old.prepare(`INSERT INTO operations (operation_id, shop, entity, window_id, query_hash, status, url, submitted_at, updated_at) VALUES ('gid://shopify/BulkOperation/1', 's', 'orders', 1, 'h', 'COMPLETED', ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`).run(signed);
    old.close();
    const db = StateDb.open(path);
    db.runs.start('r1', 's');
    const w = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2026-01-10T00:00:00.000Z' });
    db.operations.recordSubmitted(w, 'orders', 's', op('gid://shopify/BulkOperation/2'), 'hash');
    db.operations.update({ ...op('gid://shopify/BulkOperation/2'), status: 'COMPLETED', url: `${signed}2` });
    db.close();
    expect(readFileSync(path).includes('Signature='), 'a signed URL in the state file').to.equal(false);
  });

  it('refuses to commit a window while a file is not uploaded', () => {
    const db = StateDb.open(path);
    db.runs.start('r1', 's');
    const w = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2026-01-10T00:00:00.000Z' });
    db.files.record(w, 'r1', 'orders', file('a'));
    db.files.record(w, 'r1', 'orders', file('b'));
    db.files.markUploaded('orders/a');
    expect(() => db.windows.commit(w)).to.throw(/not uploaded/);
    expect(db.windows.watermark('s', 'orders')).to.equal(null);
    db.files.markUploaded('orders/b');
    expect(db.windows.commit(w).watermark).to.equal('2026-01-10T00:00:00.000Z');
  });

  it('records the operation before polling and lists what a crashed run left open', () => {
    const db = StateDb.open(path);
    db.runs.start('r1', 's');
    const w = db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: '2026-01-10T00:00:00.000Z' });
    db.operations.recordSubmitted(w, 'orders', 's', op('gid://shopify/BulkOperation/1'), 'hash');
    db.close();
    const again = StateDb.open(path);
    again.runs.start('r2', 's');
    const open = again.windows.leftover('s', 'orders', 'r2');
    expect(open).to.have.length(1);
    expect(open[0]).to.include({ status: 'submitted', operation_id: 'gid://shopify/BulkOperation/1', query_hash: 'hash', attempts: 1 });
    expect(again.statusReport()[0]).to.include({ shop: 's', entity: 'orders', last_outcome: 'submitted', open_operations: 'gid://shopify/BulkOperation/1 CREATED' });
  });

  it('lets one live run hold the state at a time', () => {
    const a = StateDb.open(path);
    const b = StateDb.open(path);
    a.lock.acquire('run-a', 60_000);
    let err: unknown;
    try {
      b.lock.acquire('run-b', 60_000);
    } catch (e) {
      err = e;
    }
    expect(isEtlError(err, 'STATE_LOCKED')).to.equal(true);
    expect((err as Error).message).to.contain('run-a');
    a.lock.release('run-a');
    b.lock.acquire('run-b', 60_000);
  });

  it('takes over an expired lease', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const a = StateDb.open(path, () => now);
    a.lock.acquire('run-a', 60_000);
    now = new Date('2026-01-01T00:02:00Z');
    const b = StateDb.open(path, () => now);
    b.lock.acquire('run-b', 60_000);
    expect(b.db.prepare('SELECT owner FROM lock').get()).to.deep.equal({ owner: 'run-b' });
  });

  it('upgrades a state written before window keys: each window is keyed by its run and id', () => {
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO runs (run_id, shop, started_at, status) VALUES ('r0', 's', '2026-01-01T00:00:00Z', 'running')`).run();
    old.prepare(`INSERT INTO windows (run_id, shop, entity, since, until, status, created_at, updated_at) VALUES ('r0', 's', 'orders', NULL, '2026-01-01T00:00:00Z', 'submitted', 'x', 'x')`).run();
    old.close();
    const db = StateDb.open(path);
    expect(db.windows.get(1).window_key).to.equal('r0/1');
    db.runs.start('r1', 's');
    expect(db.windows.get(db.windows.create({ runId: 'r1', shop: 's', entity: 'orders', since: null, until: null })).window_key).to.equal('r1/2');
    db.close();
  });
});
