// RemoteState against the fake GCS server with the real client and real SQLite files: the lock
// (create-if-absent, lease, takeover by compare-and-swap, heartbeat), and the database snapshot
// round trip with generation preconditions.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { isEtlError } from '../../src/errors/index.ts';
import { RemoteState } from '../../src/state/remote.ts';
import type { RemoteStateOptions } from '../../src/state/remote.ts';
import { createFakeGcs, fastRetryOptions } from '../support/fake-gcs.ts';
import type { FakeGcs } from '../support/fake-gcs.ts';
import { etlFailure } from '../support/failure.ts';

const URL = 'gs://state-bucket/etl/state.db';
const LOCK = 'etl/state.db.lock';
const HOUR = 3_600_000;

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM windows').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('RemoteState', () => {
  let fake: FakeGcs;
  let endpoint: string;
  let dir: string;
  const opened: RemoteState[] = [];

  beforeEach(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
    fake.createBucket('state-bucket');
    dir = await mkdtemp(join(tmpdir(), 'etl-remote-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.release()));
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens as `owner` with its own working copy ("another machine"); heartbeat off unless asked. */
  async function open(owner: string, extra: Partial<RemoteStateOptions> = {}): Promise<RemoteState> {
    const state = await RemoteState.open({
      url: URL,
      localPath: join(dir, owner, 'state.db'),
      owner,
      apiEndpoint: endpoint,
      retryOptions: fastRetryOptions,
      heartbeatMs: HOUR,
      ...extra,
    });
    opened.push(state);
    return state;
  }

  async function localDb(state: RemoteState): Promise<Database.Database> {
    await mkdir(join(state.localPath, '..'), { recursive: true });
    const db = new Database(state.localPath);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS windows (id INTEGER PRIMARY KEY, status TEXT)');
    return db;
  }

  it('starts empty when there is no remote database, and takes the lock', async () => {
    const state = await open('run-a');
    expect(state.generation).to.equal('0');
    expect(existsSync(state.localPath)).to.equal(false);
    expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-a');
  });

  it('a second open while the lock is held stops with STATE_LOCKED naming the holder and the expiry', async () => {
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    await open('run-a', { now: () => t0, leaseMs: 600_000 });
    const err = await etlFailure(open('run-b', { now: () => t0 + 1000 }));
    expect(err.code).to.equal('STATE_LOCKED');
    expect(err.message).to.contain('run-a').and.contain('2026-11-21T10:10:00.000Z');
    expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-a');
  });

  it('the lease is short by default (60 s), so a killed run\'s lock lapses while Cloud Run retries', async () => {
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    await open('run-a', { now: () => t0, heartbeatMs: undefined });
    expect(fake.object('state-bucket', LOCK)?.metadata.expiresAtMs).to.equal(String(t0 + 60_000));
  });

  it('a run that finds a live lock waits up to waitMs, saying for whom, then stops with STATE_LOCKED', async () => {
    await open('run-a', { leaseMs: 3_000, heartbeatMs: 200 });
    const warnings: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const logger = { info: () => undefined, warn: (message: string, fields: Record<string, unknown> = {}) => void warnings.push({ message, fields }) };
    const err = await etlFailure(open('run-b', { waitMs: 1_000, logger }));
    expect(err.code).to.equal('STATE_LOCKED');
    expect(err.message).to.contain('run-a').and.contain('waited');
    expect(warnings.find((w) => /waiting/.test(w.message))?.fields.holder, 'the wait is logged with the holder').to.equal('run-a');
    expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-a');
  });

  it('a lock whose holder died lapses within waitMs and is taken over', async () => {
    // run-a never renews (its heartbeat is an hour away) and never releases: a killed run.
    await open('run-a', { leaseMs: 1_000 });
    const state = await open('run-b', { waitMs: 20_000 });
    expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-b');
    expect(state.generation).to.equal('0');
  });

  it('an expired lease is taken over by exactly one of two contenders; the old holder can no longer publish', async () => {
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    const stale = await open('run-a', { now: () => t0, leaseMs: 60_000 });
    const staleDb = await localDb(stale);
    const later = () => t0 + 120_000;
    const results = await Promise.allSettled([open('run-b', { now: later }), open('run-c', { now: later })]);
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).to.have.length(1);
    expect(losers).to.have.length(1);
    expect(isEtlError(losers[0]?.reason, 'STATE_LOCKED')).to.equal(true);
    const holder = fake.object('state-bucket', LOCK)?.metadata.owner;
    expect(holder === 'run-b' || holder === 'run-c').to.equal(true);
    const err = await etlFailure(stale.publish(staleDb));
    staleDb.close();
    expect(err.code).to.equal('STATE_CONFLICT');
    expect(err.message).to.contain(String(holder));
  });

  it('publishes a snapshot that another machine downloads with the same content', async () => {
    const first = await open('run-a');
    const db = await localDb(first);
    db.prepare('INSERT INTO windows (status) VALUES (?)').run('committed');
    await first.publish(db);
    db.prepare('INSERT INTO windows (status) VALUES (?)').run('committed');
    await first.publish(db);
    db.close();
    const published = first.generation;
    await first.release();

    // A fresh working copy, as on a new Cloud Run execution whose disk is gone.
    const second = await open('run-b');
    expect(second.generation).to.equal(published);
    expect(countRows(second.localPath)).to.equal(2);
    const uploads = fake.requests.filter((r) => r.path.startsWith('/upload/') && r.query.name === 'etl/state.db');
    expect(uploads.map((r) => r.query.ifGenerationMatch)).to.deep.equal(['0', uploads[1]?.query.ifGenerationMatch]);
    expect(uploads[1]?.query.ifGenerationMatch).to.not.equal('0');
  });

  it('publishes asked for while one is uploading share the next upload, and each returns once its record is durable', async () => {
    const state = await open('run-a');
    const db = await localDb(state);
    const uploads = () => fake.requests.filter((r) => r.path.startsWith('/upload/') && r.query.name === 'etl/state.db').length;
    db.prepare('INSERT INTO windows (status) VALUES (?)').run('submitted');
    const first = state.publish(db);
    await new Promise((resolve) => setImmediate(resolve)); // the first publish is under way
    // Four more entities record their operation and ask for durability while it runs.
    const rest = [1, 2, 3, 4].map(async () => {
      db.prepare('INSERT INTO windows (status) VALUES (?)').run('submitted');
      await state.publish(db);
      return countRows(await remoteCopy());
    });
    await first;
    expect(await Promise.all(rest), 'every caller sees all its rows on GCS once it returns').to.deep.equal([5, 5, 5, 5]);
    db.close();
    expect(uploads(), 'one upload for the first, one shared by the other four').to.equal(2);
  });

  /** The remote database as it is now, in a file of its own. */
  async function remoteCopy(): Promise<string> {
    const path = join(dir, `remote-${Math.random().toString(36).slice(2)}.db`);
    await writeFile(path, fake.object('state-bucket', 'etl/state.db')?.bytes ?? Buffer.alloc(0));
    return path;
  }

  it('refuses to publish over a database someone else changed (STATE_CONFLICT)', async () => {
    const state = await open('run-a');
    const db = await localDb(state);
    await state.publish(db);
    fake.putObject('state-bucket', 'etl/state.db', 'written by a stray run');
    const err = await etlFailure(state.publish(db));
    db.close();
    expect(err.code).to.equal('STATE_CONFLICT');
    expect(fake.object('state-bucket', 'etl/state.db')?.bytes.toString()).to.equal('written by a stray run');
  });

  it('replaces a stale local working copy (and its WAL) with the remote one', async () => {
    await writeFile(join(dir, 'stale.db-wal'), 'garbage');
    await writeFile(join(dir, 'stale.db'), 'garbage');
    const state = await RemoteState.open({ url: URL, localPath: join(dir, 'stale.db'), owner: 'run-a', apiEndpoint: endpoint, heartbeatMs: HOUR });
    opened.push(state);
    expect(existsSync(join(dir, 'stale.db'))).to.equal(false);
    expect(existsSync(join(dir, 'stale.db-wal'))).to.equal(false);
  });

  it('release deletes the lock, and a new run can open', async () => {
    const first = await open('run-a');
    await first.release();
    expect(fake.object('state-bucket', LOCK)).to.equal(undefined);
    await open('run-b');
    expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-b');
    const db = new Database(':memory:');
    const err = await etlFailure(first.publish(db));
    db.close();
    expect(err.code).to.equal('INTERNAL');
    expect(err.message).to.contain('released');
  });

  it('renewing extends the lease past its first expiry', async () => {
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    let clock = t0;
    const state = await open('run-a', { now: () => clock, leaseMs: 10_000 });
    expect(fake.object('state-bucket', LOCK)?.metadata.expiresAtMs).to.equal(String(t0 + 10_000));
    clock = t0 + 8_000;
    await state.renew();
    expect(fake.object('state-bucket', LOCK)?.metadata.expiresAtMs).to.equal(String(t0 + 18_000));
    // Past the first lease, but within the renewed one: still ours.
    const err = await etlFailure(open('run-b', { now: () => t0 + 12_000 }));
    expect(err.code).to.equal('STATE_LOCKED');
  });

  it('the heartbeat renews on its own', async () => {
    let clock = Date.parse('2026-11-21T10:00:00Z');
    await open('run-a', { now: () => clock, leaseMs: 10_000, heartbeatMs: 5 });
    const firstGeneration = fake.object('state-bucket', LOCK)?.generation;
    clock += 1_000;
    while (fake.object('state-bucket', LOCK)?.generation === firstGeneration) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(Number(fake.object('state-bucket', LOCK)?.metadata.expiresAtMs)).to.be.greaterThan(clock + 9_000 - 1);
  });

  it('a lock found in other hands stops further publishes', async () => {
    const state = await open('run-a');
    const db = await localDb(state);
    fake.putObject('state-bucket', LOCK, '{}', { metadata: { owner: 'intruder', expiresAtMs: String(Date.now() + HOUR) } });
    await state.renew();
    const err = await etlFailure(state.publish(db));
    db.close();
    expect(err.code).to.equal('STATE_CONFLICT');
    expect(err.message).to.contain('intruder');
    expect(fake.object('state-bucket', 'etl/state.db')).to.equal(undefined);
  });

  describe('lost answers and transient failures on every call the state makes', () => {
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (message: string) => void warnings.push(message) };
    beforeEach(() => {
      warnings.length = 0;
    });
    const lockWrite = { method: 'POST', object: LOCK };
    /** A run that publishes a state holding one committed window, then releases it. */
    async function publishOneWindow(): Promise<void> {
      const first = await open('run-a');
      const db = await localDb(first);
      db.prepare('INSERT INTO windows (status) VALUES (?)').run('committed');
      await first.publish(db);
      db.close();
      await first.release();
    }

    it('a lost answer to the lock create: the retry finds our own lock and takes it', async () => {
      fake.faults.loseAnswer(lockWrite);
      const state = await open('run-a', { logger });
      expect(fake.requests.some((r) => r.injected && r.query.name === LOCK), 'the answer was lost').to.equal(true);
      expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-a');
      await state.release();
      expect(fake.object('state-bucket', LOCK), 'released, not left to expire').to.equal(undefined);
    });

    it('a lost answer to the takeover of an expired lock: the retry finds our own lock', async () => {
      const t0 = Date.parse('2026-11-21T10:00:00Z');
      await open('run-a', { now: () => t0, leaseMs: 60_000 });
      // The second lock write of run-b: its create meets run-a's lock, its takeover's answer is lost.
      fake.faults.loseAnswer(lockWrite, 2);
      await open('run-b', { now: () => t0 + 120_000, logger });
      expect(fake.requests.some((r) => r.injected), 'the answer was lost').to.equal(true);
      expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-b');
    });

    it('a lost answer to the renewal, the state upload and the release: each retry takes its own effect as success', async () => {
      const state = await open('run-a', { logger });
      const db = await localDb(state);
      db.prepare('INSERT INTO windows (status) VALUES (?)').run('submitted');
      fake.faults.loseAnswer({ method: 'POST', object: 'etl/state.db' });
      await state.publish(db);
      db.close();
      fake.faults.loseAnswer(lockWrite);
      await state.renew();
      fake.faults.loseAnswer({ method: 'DELETE', object: LOCK });
      await state.release();
      expect(fake.requests.filter((r) => r.injected), 'three answers lost').to.have.length(3);
      expect(fake.object('state-bucket', LOCK)).to.equal(undefined);
      expect(warnings, 'nothing reported as failed').to.deep.equal([]);
      const next = await open('run-b');
      expect(countRows(next.localPath)).to.equal(1);
    });

    it('a lost answer to the state download: the retry downloads it', async () => {
      await publishOneWindow();
      // The second read of the database: its metadata first, then its bytes.
      fake.faults.loseAnswer({ method: 'GET', object: 'etl/state.db' }, 2);
      const second = await open('run-b', { logger });
      expect(fake.requests.some((r) => r.injected)).to.equal(true);
      expect(countRows(second.localPath)).to.equal(1);
    });

    it('a 503 answer to the state download: the whole download is retried (no unhandled stream error)', async () => {
      await publishOneWindow();
      // The second read of the database: its metadata first, then its bytes.
      fake.faults.failOn({ method: 'GET', object: 'etl/state.db' }, 503, 2);
      const second = await open('run-b', { logger });
      expect(fake.requests.filter((r) => r.injected).map((r) => r.status)).to.deep.equal([503]);
      expect(countRows(second.localPath)).to.equal(1);
    });

    it('connection refused while GCS restarts, and 5xx beyond the client\'s own retries: retried within the budget', async () => {
      await fake.stopFor(1500);
      const state = await open('run-a', { logger });
      expect(fake.object('state-bucket', LOCK)?.metadata.owner).to.equal('run-a');
      const db = await localDb(state);
      for (let n = 1; n <= 4; n++) fake.faults.failNth(n, 503);
      await state.publish(db);
      db.close();
      expect(fake.object('state-bucket', 'etl/state.db')?.metadata.owner).to.equal('run-a');
    });
  });
});

