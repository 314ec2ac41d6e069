// Issue 5's acceptance points, end to end: the real CLI as a subprocess extracting from a sandbox store
// over HTTP and writing to the fake GCS server over HTTP, with real SQLite state. What each test reads
// back comes from the fake server's memory (exact bytes and generations) or the state database.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { entityByName } from '../../src/entities/index.ts';
import type { ManifestDocument } from '../../src/load/manifest.ts';
import type { StatusEntry } from '../../src/state/db.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { collect, runCli, startCli, type CliResult } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs, type FakeObject, type LoggedRequest } from '../support/fake-gcs.ts';
import { crc32cOf } from '../support/staged-file.ts';
import { manifests, readTable, relativeFiles, tablesWritten, type OutputRow } from '../support/output.ts';

const README = resolve(import.meta.dirname, '../../README.md');

describe('GCS end to end: the CLI against the fake GCS server', function () {
  this.timeout(120_000);
  let fake: FakeGcs;
  let endpoint: string;
  let sandbox: Sandbox;
  let dir: string;
  let bucketCount = 0;
  let bucket: string;
  let firstRequest = 0;

  before(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
    sandbox = await startSandbox({ operationDelayMs: 50 });
  });
  after(async () => {
    await sandbox.close();
    await fake.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-e2e-gcs-'));
    bucket = `bucket-${++bucketCount}`;
    fake.createBucket(bucket);
    firstRequest = fake.requests.length;
  });
  afterEach(() => {
    fake.faults.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  /** How the ETL finds GCS: --gcs-endpoint (default: the fake server), or STORAGE_EMULATOR_HOST. */
  interface Via { endpoint?: string; emulatorEnv?: boolean }

  /** The ETL's `run` against a sandbox, with JSON logs. */
  function etlArgs(store: Sandbox, args: string[], via: Via): { args: string[]; env: Record<string, string> } {
    const url = via.endpoint ?? endpoint;
    return {
      args: ['run', '--shop', store.shopDomain, '--admin-url', store.url, '--log-format', 'json', '--poll-interval', '100ms', ...(via.emulatorEnv ? [] : ['--gcs-endpoint', url]), ...args],
      env: { SHOPIFY_ACCESS_TOKEN: store.token, ...(via.emulatorEnv ? { STORAGE_EMULATOR_HOST: url } : {}) },
    };
  }
  function etl(store: Sandbox, args: string[], via: Via = {}): Promise<CliResult> {
    const { args: a, env } = etlArgs(store, args, via);
    return runCli(a, env);
  }
  function startEtl(store: Sandbox, args: string[], via: Via = {}): ChildProcess {
    const { args: a, env } = etlArgs(store, args, via);
    return startCli(a, env);
  }

  /** Objects under `prefix/`, by name relative to it. */
  function objectsUnder(prefix: string): Map<string, FakeObject> {
    return new Map(fake.objects(bucket).filter((o) => o.name.startsWith(`${prefix}/`)).map((o) => [o.name.slice(prefix.length + 1), o]));
  }
  function gcsManifests(prefix: string): ManifestDocument[] {
    // In run order: by start time, as the run ids sort too (src/load/layout.ts).
    return [...objectsUnder(prefix)]
      .filter(([name]) => name.startsWith('_manifests/'))
      .map(([, o]) => JSON.parse(o.bytes.toString('utf8')) as ManifestDocument)
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.runId.localeCompare(b.runId));
  }
  /** The fake server's requests since this test began. */
  function requests(): LoggedRequest[] {
    return fake.requests.slice(firstRequest);
  }
  function isPart(name: string): boolean {
    return name.endsWith('.ndjson.gz');
  }

  it('writes to gs://bucket/prefix exactly the objects, rows and manifest the local destination writes for the same store', async () => {
    const gcs = await etl(sandbox, ['--dest', `gs://${bucket}/prefix`, '--state', join(dir, 'gcs-state.db')]);
    expect(gcs.code, gcs.stderr).to.equal(0);
    const local = await etl(sandbox, ['--dest', join(dir, 'out'), '--state', join(dir, 'local-state.db')]);
    expect(local.code, local.stderr).to.equal(0);

    const objects = objectsUnder('prefix');
    const [gcsManifest, ...moreGcs] = gcsManifests('prefix');
    const [localManifest, ...moreLocal] = manifests(join(dir, 'out'));
    expect(moreGcs.concat(moreLocal)).to.have.length(0);
    expect(gcsManifest?.status).to.equal('succeeded');
    expect(localManifest?.status).to.equal('succeeded');

    // Same names once each run's own id and date are factored out (the dates must be the runs' own).
    const normalise = (m: ManifestDocument) => (name: string): string =>
      name.replaceAll(m.runId, '<run>').replaceAll(`dt=${m.startedAt.slice(0, 10)}`, 'dt=<date>');
    const gcsNames = [...objects.keys()].map(normalise(gcsManifest!)).sort();
    const localNames = relativeFiles(join(dir, 'out')).map(normalise(localManifest!)).sort();
    expect(gcsNames.some((n) => n.startsWith('_probe/')), 'probe objects left behind').to.equal(false);
    expect(gcsNames).to.deep.equal(localNames);

    // Same rows in every table, apart from the two columns that name the run: every table with rows in the store.
    const truth = sandbox.store.truth();
    const tables = tablesWritten(join(dir, 'out'));
    expect(tables).to.deep.equal(Object.keys(truth).filter((t) => truth[t]! > 0).sort());
    for (const table of tables) {
      const parts = [...objects].filter(([name]) => name.startsWith(`${table}/`) && isPart(name)).map(([, o]) => o);
      const gcsRows = parts.flatMap(rowsOf);
      const localRows = await readTable(join(dir, 'out'), table);
      expect(gcsRows.every((r) => r._run_id === gcsManifest!.runId), `${table} _run_id`).to.equal(true);
      expect(comparable(gcsRows), table).to.deep.equal(comparable(localRows));
      expect(gcsRows.length, table).to.equal(truth[table]);
    }

    // The manifest lists every part object once, with the stored object's crc32c, size and line count.
    const listed = gcsManifest!.windows.flatMap((w) => w.files);
    expect(new Set(listed.map((f) => f.objectName)).size).to.equal(listed.length);
    expect(listed.map((f) => f.objectName).sort()).to.deep.equal([...objects.keys()].filter(isPart).sort());
    for (const f of listed) {
      const stored = objects.get(f.objectName)!;
      expect({ crc32c: stored.crc32c, bytes: stored.bytes.length, rows: rowsOf(stored).length }, f.objectName).to.deep.equal({ crc32c: f.crc32c, bytes: f.bytes, rows: f.rows });
      // Only what a reader needs: the staging path of the machine that ran the job is not published.
      expect(Object.keys(f).sort(), f.objectName).to.deep.equal(['bytes', 'crc32c', 'objectName', 'rows', 'table']);
    }
    // ... and the same files with the same row counts as the local manifest (bytes differ: the run ids inside do).
    const summary = (m: ManifestDocument): Array<[string, number]> => m.windows.flatMap((w) => w.files).map((f): [string, number] => [normalise(m)(f.objectName), f.rows]).sort();
    expect(summary(gcsManifest!)).to.deep.equal(summary(localManifest!));
    expect(Object.fromEntries(Object.entries(gcsManifest!.tables).map(([t, s]) => [t, s.rows]))).to.deep.equal(Object.fromEntries(Object.entries(localManifest!.tables).map(([t, s]) => [t, s.rows])));
  });

  it('succeeds with a 503 on every 5th GCS request, every object matching the manifest\'s CRC32C', async () => {
    // State on GCS too, so the lock, the state snapshots, the manifest and the parts all meet faults.
    fake.faults.failEvery(5, 503);
    const result = await etl(sandbox, ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', `gs://${bucket}/state.db`, '--staging', join(dir, 'staging')]);
    expect(result.code, result.stderr).to.equal(0);
    const injected = requests().filter((r) => r.injected);
    // Every 5th request of the run failed, uploads among them.
    expect(injected.length).to.equal(Math.floor(requests().length / 5));
    expect(injected.length).to.be.at.least(6);
    expect(injected.some((r) => r.path.startsWith('/upload/'))).to.equal(true);

    const objects = objectsUnder('prefix');
    const [manifest, ...more] = gcsManifests('prefix');
    expect(more).to.have.length(0);
    expect(manifest?.status).to.equal('succeeded');
    const listed = manifest!.windows.flatMap((w) => w.files);
    expect(listed.map((f) => f.objectName).sort()).to.deep.equal([...objects.keys()].filter(isPart).sort());
    for (const f of listed) {
      const stored = objects.get(f.objectName)!;
      expect(crc32cOf(stored.bytes), f.objectName).to.equal(f.crc32c);
      expect(stored.crc32c, f.objectName).to.equal(f.crc32c);
      expect(rowsOf(stored).length, f.objectName).to.equal(f.rows);
    }
    // At this size one part per table of orders' queries (Entity.parts) that has rows.
    const truth = sandbox.store.truth();
    expect(listed.map((f) => f.table).sort()).to.deep.equal(entityByName('orders').tables.map((t) => t.name).filter((t) => truth[t]! > 0).sort());
    expect(manifest!.tables.orders?.rows).to.equal(truth.orders);
    expect(fake.object(bucket, 'state.db.lock'), 'lock released').to.equal(undefined);
  });

  it('survives a connection dropped in the middle of a part file upload: the object lands once, whole', async () => {
    // The first upload body over 10 KiB (a part of one of orders' tables; schemas are smaller) is cut
    // after 10 KiB. Parts stay far below the 8 MiB resumable threshold at this store size, so this is
    // the simple upload sent again whole; the resumable resume is covered in test/load/gcs.test.ts.
    fake.faults.dropUploadAfterBytes(10 * 1024, 1);
    const result = await etl(sandbox, ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', join(dir, 'state.db')]);
    expect(result.code, result.stderr).to.equal(0);
    const log = requests();
    const dropped = log.filter((r) => r.status === 0 && !r.injected);
    expect(dropped).to.have.length(1);
    const name = dropped[0]!.query.name ?? '';
    expect(name).to.match(/^prefix\/\w+\/.*\.ndjson\.gz$/);
    expect(entityByName('orders').tables.map((t) => t.name)).to.include(name.split('/')[1]);
    expect(dropped[0]!.bodyBytes).to.equal(10 * 1024);

    // Sent again after the drop and stored once, with the bytes the manifest describes.
    const after = log.slice(log.indexOf(dropped[0]!) + 1).filter((r) => r.path.startsWith('/upload/') && r.query.name === name);
    expect(after.map((r) => r.status)).to.deep.equal([200]);
    const [manifest] = gcsManifests('prefix');
    const entry = manifest!.windows.flatMap((w) => w.files).find((f) => `prefix/${f.objectName}` === name);
    const stored = fake.object(bucket, name)!;
    expect({ crc32c: crc32cOf(stored.bytes), bytes: stored.bytes.length, rows: rowsOf(stored).length }).to.deep.equal({ crc32c: entry?.crc32c, bytes: entry?.bytes, rows: entry?.rows });
  });

  it('resumes a resumable part upload from the bytes GCS kept when the connection drops (--gcs-resumable-threshold)', async () => {
    const big = await startSandbox({ operationDelayMs: 50, size: { orders: 2500 } });
    try {
      fake.faults.dropUploadAfterBytes(600 * 1024, 1);
      const result = await etl(big, ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', join(dir, 'state.db'), '--gcs-resumable-threshold', '256KiB']);
      expect(result.code, result.stderr).to.equal(0);
      const log = requests();
      const dropped = log.filter((r) => r.status === 0 && !r.injected);
      expect(dropped, 'one upload cut').to.have.length(1);
      const session = dropped[0]!.query.upload_id;
      expect(session, 'the cut request belongs to a resumable session').to.be.a('string');
      const later = log.slice(log.indexOf(dropped[0]!) + 1).filter((r) => r.query.upload_id === session);
      // The client asks how much arrived, then sends the rest from there, in the same session.
      expect(later[0]?.contentRange).to.equal('bytes */*');
      expect(later.at(-1)?.contentRange).to.match(/^bytes [1-9]\d*-\d+\/\d+$/);
      expect(later.at(-1)?.status).to.equal(200);
      const [manifest] = gcsManifests('prefix');
      for (const f of manifest!.windows.flatMap((w) => w.files)) {
        expect(crc32cOf(fake.object(bucket, `prefix/${f.objectName}`)!.bytes), f.objectName).to.equal(f.crc32c);
      }
    } finally {
      await big.close();
    }
  });

  it('killed mid-upload and run again: nothing duplicated or replaced, each file listed once, the watermark only after the manifest', async () => {
    const statePath = join(dir, 'state.db');
    const args = ['--entities', 'orders,products', '--dest', `gs://${bucket}/prefix`, '--state', statePath];
    // A proxy leaves one products upload unanswered, so at the kill products is mid-upload too, with
    // some parts on GCS and one not, whatever the timing of the two entities.
    const proxy = await holdingProxy(endpoint, (req) => (req.url ?? '').includes(`name=${encodeURIComponent('prefix/products/')}`));
    try {
      const first = startEtl(sandbox, [...args, '--pause-at', 'orders:uploading'], { endpoint: proxy.url });
      const firstDone = collect(first);
      await logged(first, 'paused at checkpoint');
      // Kill in a settled mid-upload state: both windows have every part in the outbox, and orders has
      // some parts on GCS (uploaded before the pause) and some not.
      await until(() => {
        const windows = query<{ entity: string; status: string; uploaded: number; staged: number }>(statePath, `
          SELECT w.entity, w.status, SUM(f.status = 'uploaded') AS uploaded, SUM(f.status = 'staged') AS staged
          FROM windows w LEFT JOIN files f ON f.window_id = w.window_id GROUP BY w.window_id`);
        const orders = windows.find((w) => w.entity === 'orders');
        return windows.length === 2 && windows.every((w) => w.status === 'downloaded') && orders !== undefined && orders.uploaded > 0 && orders.staged > 0;
      });
      first.kill('SIGKILL');
      const killed = await firstDone;
      expect(killed.signal, `code ${killed.code} ${killed.stderr.slice(-600)}`).to.equal('SIGKILL');
    } finally {
      await proxy.close();
    }
    const before = new Map(fake.objects(bucket).map((o) => [o.name, { generation: o.generation, crc32c: o.crc32c }]));

    // After the kill: orders has files waiting and no watermark, and no manifest lists any of its files.
    const killedStatus = await ordersStatus(statePath);
    expect(killedStatus.watermark).to.equal(null);
    expect(killedStatus.pending_files).to.be.greaterThan(0);
    expect(listedFiles(gcsManifests('prefix'))).to.deep.equal([]);
    const partsBefore = [...before.keys()].filter(isPart);
    expect(partsBefore.length).to.be.greaterThan(0);

    const second = await etl(sandbox, args);
    expect(second.code, second.stderr).to.equal(0);

    // No part file uploaded before the kill was written again; schemas (the only other objects) are
    // rewritten by design, with the same bytes.
    for (const [name, was] of before) {
      const now = fake.object(bucket, name);
      if (isPart(name)) expect(now && { generation: now.generation, crc32c: now.crc32c }, name).to.deep.equal(was);
      else expect(now?.crc32c, name).to.equal(was.crc32c);
    }
    // Every part object is listed exactly once across the manifests, and nothing else is on GCS.
    const docs = gcsManifests('prefix');
    const listed = listedFiles(docs);
    expect(new Set(listed).size).to.equal(listed.length);
    expect([...listed].sort()).to.deep.equal([...objectsUnder('prefix').keys()].filter(isPart).map((n) => `prefix/${n}`).sort());
    // The resumed windows keep the killed run's object names; the rerun's manifest says who extracted them.
    const killedRun = /run=([^/]+)\//.exec(partsBefore[0]!)?.[1];
    const resumed = docs.flatMap((d) => d.windows.map((w) => ({ ...w, listedBy: d.runId }))).filter((w) => w.extractedByRun === killedRun);
    expect(resumed.map((w) => w.entity).sort()).to.deep.equal(['orders', 'products']);
    for (const w of resumed) {
      expect(w.listedBy).not.to.equal(killedRun);
      expect(w.files.every((f) => f.objectName.includes(`run=${killedRun}/`)), w.entity).to.equal(true);
    }
    const ordersWindow = resumed.find((w) => w.entity === 'orders')!;
    expect(ordersWindow.files.find((f) => f.table === 'orders')?.rows).to.equal(sandbox.store.truth().orders);

    // With the manifest listing the window, the watermark moved to its end (the rerun's lookback
    // window then moved it on).
    const finalStatus = await ordersStatus(statePath);
    const lastOrders = docs.flatMap((d) => d.windows).filter((w) => w.entity === 'orders').map((w) => w.until!).sort().at(-1);
    expect(finalStatus.watermark).to.equal(lastOrders);
    expect(finalStatus.pending_files).to.equal(0);
  });

  it('two runs on the same gs:// state at once: the second exits 3 with the lock message, and succeeds once the first ends', async () => {
    // Its own store: the first run's operation is made to hang in Shopify's queue, so it holds the lock
    // for as long as the test needs, whatever the machine's speed.
    const store = await startSandbox({ operationDelayMs: 50 });
    try {
      const args = ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', `gs://${bucket}/etl/state.db`];
      store.faults.set({ stuck: 1 });
      const first = startEtl(store, [...args, '--staging', join(dir, 'first')]);
      const firstDone = collect(first);
      await logged(first, 'bulk operation submitted');
      const holder = JSON.parse(fake.object(bucket, 'etl/state.db.lock')!.bytes.toString('utf8')) as { owner: string };

      // It waits --lock-wait for the lock (the first run lives and renews it), then gives up.
      const second = await etl(store, [...args, '--staging', join(dir, 'second'), '--lock-wait', '1s']);
      expect(second.code, second.stderr).to.equal(3);
      expect(second.stderr).to.contain(`state gs://${bucket}/etl/state.db is locked by ${holder.owner}`);
      expect(second.stderr).to.contain('another run is in progress');
      expect(readFileSync(README, 'utf8')).to.match(/\| `3` \| another run still holds the state lock/);
      // The locked-out run left the lock and the first run's state alone, and wrote no data.
      expect(JSON.parse(fake.object(bucket, 'etl/state.db.lock')!.bytes.toString('utf8'))).to.include({ owner: holder.owner });
      expect([...objectsUnder('prefix').keys()].filter(isPart)).to.deep.equal([]);

      // The first run ends (SIGTERM: it persists its state, releases the lock, exits 143) ...
      first.kill('SIGTERM');
      const firstResult = await firstDone;
      expect(firstResult.code, firstResult.stderr.slice(-600)).to.equal(143);
      expect(fake.object(bucket, 'etl/state.db.lock'), 'lock released').to.equal(undefined);
      expect(fake.object(bucket, 'etl/state.db'), 'state published').not.to.equal(undefined);

      // ... and the second succeeds, from the first run's published state: it adopts the stuck
      // operation, gives up on it after --created-timeout, and extracts the window again.
      const retry = await etl(store, [...args, '--staging', join(dir, 'second'), '--created-timeout', '1s']);
      expect(retry.code, retry.stderr).to.equal(0);
      expect(retry.stderr).to.contain('adopting the operation an earlier run started');
      const [interrupted, manifest, ...more] = gcsManifests('prefix');
      expect(more).to.have.length(0);
      expect(interrupted?.status).to.equal('interrupted');
      expect(listedFiles([interrupted!])).to.deep.equal([]);
      expect(manifest?.status).to.equal('succeeded');
      expect(manifest?.tables.orders?.rows).to.equal(store.store.truth().orders);
    } finally {
      await store.close();
    }
  });

  it('Cloud-Run-like: with gs:// state and the local disk lost between runs, the next run is incremental', async () => {
    const store = await startSandbox({ operationDelayMs: 50 });
    try {
      const job = join(dir, 'job'); // the container's disk: staging and the working copy of the state
      const args = ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', `gs://${bucket}/etl/state.db`, '--staging', job];
      // Changed an hour ago: inside the next run's lookback, so extracted by both runs.
      const early = store.store.mutate({ entities: ['orders'], touch: 3, add: 0, at: new Date(Date.now() - 60 * 60_000) });
      // Reaching the fake server the way an emulator is usually reached, through STORAGE_EMULATOR_HOST.
      const first = await etl(store, args, { emulatorEnv: true });
      expect(first.code, first.stderr).to.equal(0);
      // The JSON API under /storage/v1 even so: the client alone would take the variable as its base URL.
      expect(requests().filter((r) => !/^\/((upload|download)\/)?storage\/v1\//.test(r.path))).to.deep.equal([]);
      const firstWatermark = watermarkOnGcs('orders');
      rmSync(job, { recursive: true, force: true });

      // Between the executions the shop changes: a few minutes ago, inside the next window.
      const change = store.store.mutate({ entities: ['orders'], touch: 5, add: 2, at: new Date(Date.now() - 5 * 60_000) });
      const second = await etl(store, args, { emulatorEnv: true });
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stderr).to.contain('state downloaded');

      const [, manifest, ...more] = gcsManifests('prefix');
      expect(more).to.have.length(0);
      const [window, ...otherWindows] = manifest!.windows;
      expect(otherWindows).to.have.length(0);
      // The window starts the default 2h lookback before the first run's watermark.
      expect(Date.parse(window!.since!)).to.equal(Date.parse(firstWatermark!) - 2 * 3_600_000);
      const ids = window!.files.filter((f) => f.table === 'orders').flatMap((f) => rowsOf(fake.object(bucket, `prefix/${f.objectName}`)!)).map((r) => String(r.admin_graphql_api_id));
      // Exactly the orders updated in that window: the changed and new ones, plus the lookback overlap.
      const expected = store.store.ids('orders', { since: new Date(window!.since!), until: new Date(window!.until!) });
      expect([...ids].sort()).to.deep.equal([...expected].sort());
      expect(ids).to.include.members([...change.touched.orders!, ...change.added.orders!, ...early.touched.orders!]);
      expect(ids.length).to.be.lessThan(store.store.truth().orders!);
      expect(watermarkOnGcs('orders')).to.equal(window!.until);
    } finally {
      await store.close();
    }
  });

  /** The watermark in the state database published to gs://<bucket>/etl/state.db. */
  function watermarkOnGcs(entity: string): string | null {
    const copy = join(dir, `state-copy-${Date.now()}.db`);
    writeFileSync(copy, fake.object(bucket, 'etl/state.db')!.bytes);
    return query<{ watermark: string }>(copy, `SELECT watermark FROM watermarks WHERE entity = '${entity}'`)[0]?.watermark ?? null;
  }

  async function ordersStatus(statePath: string): Promise<StatusEntry> {
    const result = await runCli(['status', '--state', statePath, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const entry = (JSON.parse(result.stdout) as StatusEntry[]).find((e) => e.entity === 'orders');
    expect(entry, result.stdout).not.to.equal(undefined);
    return entry!;
  }

  function rowsOf(object: FakeObject): OutputRow[] {
    return gunzipSync(object.bytes).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutputRow);
  }
});

/** Object names of the part files a set of manifests lists, in order. */
function listedFiles(docs: ManifestDocument[]): string[] {
  return docs.flatMap((m) => m.windows.flatMap((w) => w.files.map((f) => `prefix/${f.objectName}`)));
}

/**
 * A pass-through HTTP proxy to the fake GCS server that leaves the requests `hold` picks unanswered
 * (their sockets stay open until the client goes away).
 */
async function holdingProxy(target: string, hold: (req: IncomingMessage) => boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (hold(req)) {
      req.resume();
      return;
    }
    const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Resolves once the child logs a line containing `message` (JSON logs on stderr). */
function logged(child: ChildProcess, message: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stderr! });
    const onExit = (code: number | null): void => reject(new Error(`the ETL exited (${code}) before logging '${message}'`));
    child.once('exit', onExit);
    lines.on('line', (line) => {
      if (!line.includes(message)) return;
      child.off('exit', onExit);
      lines.close();
      resolvePromise();
    });
  });
}

/** Waits for a condition on state another process is writing (not a timing assertion: it only bounds the wait). */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads the SQLite state file another process has open (WAL allows a reader beside the writer). */
function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Rows without the columns that name the run, in a stable order. */
function comparable(rows: OutputRow[]): string[] {
  return rows.map(({ _run_id: _r, _extracted_at: _e, ...rest }) => JSON.stringify(rest)).sort();
}
