// Issue 5's acceptance points, end to end: the real CLI as a subprocess extracting from a sandbox store
// over HTTP and writing to the fake GCS server over HTTP, with real SQLite state. What each test reads
// back comes from the fake server's memory (exact bytes and generations) or the state database.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { ManifestDocument } from '../../src/load/manifest.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { collect, runCli, startCli, type CliResult } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs, type FakeObject } from '../support/fake-gcs.ts';
import { crc32cOf } from '../support/staged-file.ts';
import { manifests, readTable, relativeFiles, tablesWritten, type OutputRow } from '../support/output.ts';

const README = resolve(import.meta.dirname, '../../README.md');

type Row = OutputRow;

describe('GCS end to end: the CLI against the fake GCS server', function () {
  this.timeout(120_000);
  let fake: FakeGcs;
  let endpoint: string;
  let sandbox: Sandbox;
  let dir: string;
  let bucketCount = 0;
  let bucket: string;

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
  });
  afterEach(() => {
    fake.faults.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The ETL's `run` against a sandbox, JSON logs, GCS reached through --gcs-endpoint. */
  function etlArgs(store: Sandbox, args: string[]): { args: string[]; env: Record<string, string> } {
    return {
      args: ['run', '--shop', store.shopDomain, '--admin-url', store.url, '--log-format', 'json', '--gcs-endpoint', endpoint, '--poll-interval', '100ms', ...args],
      env: { SHOPIFY_ACCESS_TOKEN: store.token },
    };
  }
  function etl(store: Sandbox, args: string[]): Promise<CliResult> {
    const { args: a, env } = etlArgs(store, args);
    return runCli(a, env);
  }
  function startEtl(store: Sandbox, args: string[]): ChildProcess {
    const { args: a, env } = etlArgs(store, args);
    return startCli(a, env);
  }

  /** Objects under `prefix/`, by name relative to it. */
  function objectsUnder(prefix: string): Map<string, FakeObject> {
    return new Map(fake.objects(bucket).filter((o) => o.name.startsWith(`${prefix}/`)).map((o) => [o.name.slice(prefix.length + 1), o]));
  }
  function gcsManifests(prefix: string): ManifestDocument[] {
    return [...objectsUnder(prefix)].filter(([name]) => name.startsWith('_manifests/')).sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => JSON.parse(o.bytes.toString('utf8')) as ManifestDocument);
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
    expect(gcsNames.filter(isPart)).to.have.length(19);

    // Same rows in every table, apart from the two columns that name the run.
    const tables = tablesWritten(join(dir, 'out'));
    expect(tables).to.have.length(19);
    let totalRows = 0;
    for (const table of tables) {
      const parts = [...objects].filter(([name]) => name.startsWith(`${table}/`) && isPart(name)).map(([, o]) => o);
      const gcsRows = parts.flatMap(rowsOf);
      const localRows = await readTable(join(dir, 'out'), table);
      expect(gcsRows.every((r) => r._run_id === gcsManifest!.runId), `${table} _run_id`).to.equal(true);
      expect(comparable(gcsRows), table).to.deep.equal(comparable(localRows));
      expect(gcsRows.length, table).to.equal(sandbox.store.truth()[table]);
      totalRows += gcsRows.length;
    }
    expect(totalRows).to.be.greaterThan(1500);

    // The manifest lists every part object once, with the stored object's crc32c, size and line count.
    const listed = gcsManifest!.windows.flatMap((w) => w.files);
    expect(new Set(listed.map((f) => f.objectName)).size).to.equal(listed.length);
    expect(listed.map((f) => f.objectName).sort()).to.deep.equal([...objects.keys()].filter(isPart).sort());
    for (const f of listed) {
      const stored = objects.get(f.objectName)!;
      expect({ crc32c: stored.crc32c, bytes: stored.bytes.length, rows: rowsOf(stored).length }, f.objectName).to.deep.equal({ crc32c: f.crc32c, bytes: f.bytes, rows: f.rows });
    }
    // ... and the same files with the same row counts as the local manifest (bytes differ: the run ids inside do).
    const summary = (m: ManifestDocument): Array<[string, number]> => m.windows.flatMap((w) => w.files).map((f): [string, number] => [normalise(m)(f.objectName), f.rows]).sort();
    expect(summary(gcsManifest!)).to.deep.equal(summary(localManifest!));
    expect(Object.fromEntries(Object.entries(gcsManifest!.tables).map(([t, s]) => [t, s.rows]))).to.deep.equal(Object.fromEntries(Object.entries(localManifest!.tables).map(([t, s]) => [t, s.rows])));
  });

  it('succeeds with a 503 on every 5th GCS request, every object matching the manifest\'s CRC32C', async () => {
    // State on GCS too, so the lock, the state snapshots, the manifest and the parts all meet faults.
    fake.faults.failEvery(5, 503);
    const result = await etl(sandbox, ['--dest', `gs://${bucket}/prefix`, '--state', `gs://${bucket}/state.db`, '--staging', join(dir, 'staging')]);
    expect(result.code, result.stderr).to.equal(0);
    const injected = fake.requests.filter((r) => r.injected);
    console.log('requests', fake.requests.length, 'injected', injected.length, JSON.stringify(injected.map(r => r.method + ' ' + r.path.slice(0, 40) + ' ' + (r.query.name ?? '').slice(0,30))));
    expect(injected.length).to.be.greaterThan(10);
    // Injected on every kind of write the run makes, not only on reads.
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
    expect(listed.reduce((n, f) => n + f.rows, 0)).to.equal(Object.values(sandbox.store.truth()).reduce((a, b) => a + b, 0));
    expect(fake.object(bucket, 'state.db.lock'), 'lock released').to.equal(undefined);
  });

  it('survives a connection dropped in the middle of a part file upload: the object lands once, whole', async () => {
    // The first upload body over 8 KiB is cut after 8 KiB. Part files stay below the 8 MiB resumable
    // threshold at this store size, so this is the simple (multipart) upload being sent again whole.
    fake.faults.dropUploadAfterBytes(8 * 1024, 1);
    const result = await etl(sandbox, ['--entities', 'orders', '--dest', `gs://${bucket}/prefix`, '--state', join(dir, 'state.db')]);
    expect(result.code, result.stderr).to.equal(0);
    const dropped = fake.requests.filter((r) => r.status === 0 && !r.injected);
    expect(dropped).to.have.length(1);
    const target = fake.requests.indexOf(dropped[0]!);
    expect(dropped[0]!.bodyBytes).to.be.at.least(8 * 1024);

    const [manifest] = gcsManifests('prefix');
    const objects = objectsUnder('prefix');
    const listed = manifest!.windows.flatMap((w) => w.files);
    for (const f of listed) expect(objects.get(f.objectName)?.crc32c, f.objectName).to.equal(f.crc32c);
    // The cut upload was sent again after the drop, and only one generation of each part exists.
    const uploadsAfter = fake.requests.slice(target + 1).filter((r) => r.path.startsWith('/upload/') && r.status === 200);
    expect(uploadsAfter.length).to.be.greaterThan(0);
    expect(listed.map((f) => f.objectName).sort()).to.deep.equal([...objects.keys()].filter(isPart).sort());
  });

  function rowsOf(object: FakeObject): Row[] {
    return gunzipSync(object.bytes).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
  }
});

/** Rows without the columns that name the run, in a stable order. */
function comparable(rows: Row[]): string[] {
  return rows.map(({ _run_id: _r, _extracted_at: _e, ...rest }) => JSON.stringify(rest)).sort();
}
