// What a run clears up after a killed one, on a real SQLite state and a real folder destination: the
// manifest keeps exactly the committed windows (by key, though all share one time range), parts no
// manifest lists or will list go, and so do staging folders nothing still needs.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { recoverInterrupted } from '../../src/sync/resume.ts';
import { manifestObjectName, partObjectName } from '../../src/load/layout.ts';
import { LocalDestination } from '../../src/load/local.ts';
import type { ManifestDocument, ManifestWindow } from '../../src/load/manifest.ts';
import { silentLogger } from '../support/log.ts';
import { StateDb } from '../../src/state/db.ts';
import { EtlError } from '../../src/errors/index.ts';

const SHOP = 'acme.myshopify.com';
const R0 = '20261120T010000Z-000000';
const R1 = '20261121T020304Z-111111';
const ME = '20261122T000000Z-222222';
const RANGE = { since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' };

describe('clearing up after a killed run', () => {
  let dir: string;
  let out: string;
  let staging: string;
  let state: StateDb;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-resume-'));
    out = join(dir, 'out');
    staging = join(dir, 'staging');
    state = StateDb.open(join(dir, 'state.db'));
  });
  afterEach(() => {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function put(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'x');
  }
  function part(table: string, run: string, n: number): string {
    const name = partObjectName(table, SHOP, `${run.slice(0, 4)}-${run.slice(4, 6)}-${run.slice(6, 8)}`, run, n);
    put(join(out, name));
    return name;
  }
  function record(windowId: number, name: string, localPath: string, uploaded: boolean): void {
    state.files.record(windowId, R1, 'orders', { localPath, objectName: name, crc32c: 'AAAAAA==', bytes: 1, rows: 1 });
    if (uploaded) state.files.markUploaded(name);
  }
  function listing(key: string, files: string[]): ManifestWindow {
    return {
      windowKey: key, entity: 'orders', ...RANGE, operationId: null,
      checks: { objectCount: 1, linesRead: 1, linesMatchObjectCount: true },
      files: files.map((objectName) => ({ objectName, table: objectName.slice(0, objectName.indexOf('/')), rows: 1, bytes: 1, crc32c: 'AAAAAA==' })),
    };
  }

  it('keeps the committed windows of three sharing one range, deletes the parts nobody will list, and sweeps staging nothing needs', async () => {
    state.runs.start(R0, SHOP);
    state.runs.finish(R0, 'succeeded', {});
    const earlier = part('orders', R0, 0);
    state.runs.start(R1, SHOP);
    // Committed, listed: stays.
    const committed = state.windows.create({ runId: R1, shop: SHOP, entity: 'orders', ...RANGE });
    const p1 = part('orders', R1, 0);
    record(committed, p1, join(staging, R1, `window-${committed}`, 'p1'), true);
    state.windows.commit(committed);
    // Every part written, one uploaded and one still staged: a rerun finishes it, under these names.
    const resumable = state.windows.create({ runId: R1, shop: SHOP, entity: 'orders', ...RANGE });
    const p2 = part('orders', R1, 1);
    const staged = join(staging, R1, `window-${resumable}`, 'p2b');
    put(staged);
    record(resumable, p2, join(staging, R1, `window-${resumable}`, 'p2'), true);
    record(resumable, partObjectName('orders', SHOP, '2026-11-21', R1, 2), staged, false);
    state.windows.setStatus(resumable, 'downloaded', { lines: 2 });
    // Listed by the manifest but unknown to the state (created after the state was last published).
    const p3 = part('orders', R1, 3);
    // Uploaded, never recorded anywhere: in another table, and an interrupted copy's temporary name.
    const p4 = part('customers', R1, 0);
    put(join(out, dirname(p1), '.part-00009.ndjson.gz.0b1c.tmp'));

    const manifest: ManifestDocument = {
      manifestVersion: 1, tool: { name: 'shopify-bulk-etl', version: '0' }, runId: R1, shop: SHOP, apiVersion: '2026-10',
      startedAt: '2026-11-21T02:03:04.000Z', finishedAt: null, status: 'running',
      windows: [listing(`${R1}/${committed}`, [p1]), listing(`${R1}/${resumable}`, [p2]), listing(`${R1}/999`, [p3])],
      tables: { orders: { files: 3, rows: 3, bytes: 3 } }, failures: [],
    };
    const dest = new LocalDestination(out);
    await dest.writeJson(manifestObjectName(SHOP, R1), manifest, { replace: false });
    // Staging: the killed run's needed copy, a finished run's leftovers, a folder of a run this state
    // does not know (another shop's), this run's own, and a gs:// state's working copy.
    put(join(staging, R0, 'window-1', 'orders', 'part-00000.ndjson.gz'));
    put(join(staging, '20261121T000000Z-999999', 'window-1', 'x'));
    put(join(staging, ME, 'window-7', 'y'));
    put(join(staging, `state-${SHOP}.db`));
    state.runs.start(ME, SHOP);

    await recoverInterrupted({ state, dest, shop: SHOP, runId: ME, staging, logger: silentLogger });

    const after = (await dest.readJson(manifestObjectName(SHOP, R1))) as ManifestDocument;
    expect(after.status).to.equal('interrupted');
    expect(after.windows.map((w) => w.windowKey), 'only the committed window, though all three share a range').to.deep.equal([`${R1}/${committed}`]);
    expect(after.tables).to.deep.equal({ orders: { files: 1, rows: 1, bytes: 1 } });
    const parts = [...(await dest.list('orders/')), ...(await dest.list('customers/'))].sort();
    expect(parts, 'committed, to be finished, and another run\'s parts stay').to.deep.equal([earlier, p1, p2].sort());
    expect(existsSync(join(out, p3)) || existsSync(join(out, p4))).to.equal(false);
    expect(state.db.prepare('SELECT status FROM runs WHERE run_id = ?').get(R1)).to.deep.equal({ status: 'interrupted' });

    expect(readdirSync(staging).sort()).to.deep.equal(['20261121T000000Z-999999', R1, ME, `state-${SHOP}.db`].sort());
    expect(existsSync(staged), 'the staged copy the resumed window will upload').to.equal(true);

    // Done again (R1 still owns the open window), it changes nothing.
    await recoverInterrupted({ state, dest, shop: SHOP, runId: ME, staging, logger: silentLogger });
    expect(await dest.readJson(manifestObjectName(SHOP, R1))).to.deep.equal(after);
    expect([...(await dest.list('orders/')), ...(await dest.list('customers/'))].sort()).to.deep.equal(parts);
  });

  it('stops with DEST_DAMAGED on a killed run\'s manifest that is not JSON, and deletes none of that run\'s parts', async () => {
    state.runs.start(R1, SHOP);
    const committed = state.windows.create({ runId: R1, shop: SHOP, entity: 'orders', ...RANGE });
    const p1 = part('orders', R1, 0);
    state.windows.commit(committed);
    put(join(out, manifestObjectName(SHOP, R1)));
    state.runs.start(ME, SHOP);

    const failed = await recoverInterrupted({ state, dest: new LocalDestination(out), shop: SHOP, runId: ME, staging, logger: silentLogger }).then(() => null, (err: unknown) => err);
    expect(failed).to.be.instanceOf(EtlError);
    expect((failed as EtlError).code).to.equal('DEST_DAMAGED');
    expect((failed as EtlError).message).to.contain(manifestObjectName(SHOP, R1)).and.to.contain('is not valid JSON').and.to.contain('restore');
    expect(existsSync(join(out, p1)), 'the committed part a readable manifest would list').to.equal(true);
    expect(state.db.prepare('SELECT status FROM runs WHERE run_id = ?').get(R1)).to.deep.equal({ status: 'running' });
  });

  it('gives each window a key of its creating run and id, which stays when another run adopts it', () => {
    state.runs.start(R1, SHOP);
    const id = state.windows.create({ runId: R1, shop: SHOP, entity: 'orders', ...RANGE });
    state.runs.start(ME, SHOP);
    state.windows.adopt(id, ME);
    expect(state.windows.get(id).window_key).to.equal(`${R1}/${id}`);
    expect(state.windows.isCommitted(`${R1}/${id}`)).to.equal(false);
    state.windows.commit(id);
    expect(state.windows.isCommitted(`${R1}/${id}`)).to.equal(true);
    // The same id in another lineage names another window.
    expect(state.windows.isCommitted(`${R0}/${id}`)).to.equal(false);
  });
});
