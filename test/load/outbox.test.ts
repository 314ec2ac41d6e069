// The upload outbox on a real SQLite state and a real folder destination: a part is in the state's
// outbox before its upload starts and leaves it once durable; a crashed window's staged parts are
// uploaded by its successor, or the window is extracted again when one is gone; a new attempt starts
// with an empty outbox.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import type { StagedFile } from '../../src/load/destination.ts';
import { partObjectName } from '../../src/load/layout.ts';
import { LocalDestination } from '../../src/load/local.ts';
import { WindowOutbox, discardWindowParts, windowStagingDir, type OutboxDeps } from '../../src/load/outbox.ts';
import { silentLogger } from '../support/log.ts';
import { StateDb } from '../../src/state/db.ts';
import { crc32cOf, ndjsonGz } from '../support/staged-file.ts';

const SHOP = 'acme.myshopify.com';
const RUN = '20261122T000000Z-222222';

describe('the upload outbox', () => {
  let dir: string;
  let staging: string;
  let state: StateDb;
  let deps: OutboxDeps;
  let windowId: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-outbox-'));
    staging = join(dir, 'staging');
    state = StateDb.open(join(dir, 'state.db'));
    state.runs.start(RUN, SHOP);
    windowId = state.windows.create({ runId: RUN, shop: SHOP, entity: 'orders', since: null, until: '2026-11-21T00:00:00.000Z' });
    deps = { state, dest: new LocalDestination(join(dir, 'out')), uploads: pLimit(2), logger: silentLogger, signal: new AbortController().signal };
  });
  afterEach(() => {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A part as the table writer leaves it: under the window's staging folder, at its object name. */
  function stage(part: number, run = RUN): StagedFile {
    const objectName = partObjectName('orders', SHOP, '2026-11-22', run, part);
    const localPath = join(windowStagingDir(staging, run, windowId), objectName);
    const bytes = ndjsonGz(3, String(part));
    mkdirSync(dirname(localPath), { recursive: true });
    writeFileSync(localPath, bytes);
    return { localPath, objectName, crc32c: crc32cOf(bytes), bytes: bytes.length, rows: 3, contentType: 'application/gzip' };
  }

  it('records each part before its upload starts, marks it uploaded once durable, and removes the staged copy', async () => {
    const seen: Array<{ index: number; statuses: string[] }> = [];
    const outbox = new WindowOutbox(deps, windowId, RUN, async (index) => void seen.push({ index, statuses: state.files.ofWindow(windowId).map((f) => f.status) }));
    const files = [stage(0), stage(1)];
    for (const f of files) outbox.add(f);
    await outbox.finished();

    expect(seen.map((s) => s.index).sort()).to.deep.equal([0, 1]);
    expect(seen[0]!.statuses, 'both parts in the outbox before the first upload').to.have.length(2);
    expect(state.files.ofWindow(windowId).map((f) => f.status)).to.deep.equal(['uploaded', 'uploaded']);
    for (const f of files) {
      expect(existsSync(join(dir, 'out', f.objectName)), f.objectName).to.equal(true);
      expect(existsSync(f.localPath), 'staged copy gone').to.equal(false);
    }
  });

  it('rejects finished() with a failed upload and leaves that part staged; settled() waits for every upload anyway', async () => {
    const outbox = new WindowOutbox(deps, windowId, RUN, async () => undefined);
    const good = stage(0);
    const bad = { ...stage(1), crc32c: 'AAAAAA==' };
    outbox.add(good);
    outbox.add(bad);
    await outbox.settled();
    const failure = await outbox.finished().catch((err: unknown) => err);
    expect(failure).to.have.property('name', 'EtlError');
    expect(Object.fromEntries(state.files.ofWindow(windowId).map((f) => [f.object_name, f.status]))).to.deep.equal({ [good.objectName]: 'uploaded', [bad.objectName]: 'staged' });
  });

  it('resumes a crashed window: uploads only what is still staged, then removes its staging folders', async () => {
    const crashed = '20261121T000000Z-111111';
    const [a, b] = [stage(0, crashed), stage(1, crashed)];
    state.files.record(windowId, crashed, 'orders', a);
    state.files.record(windowId, crashed, 'orders', b);
    await deps.dest.upload(a);
    state.files.markUploaded(a.objectName);
    rmSync(a.localPath);
    const indexes: number[] = [];

    const resumed = await WindowOutbox.resume(deps, { window_id: windowId }, staging, crashed, async (i) => void indexes.push(i));
    expect(resumed?.files.map((f) => f.objectName)).to.deep.equal([a.objectName, b.objectName]);
    expect(resumed?.rowsByTable).to.deep.equal({ orders: 6 });
    expect(indexes, 'one upload: the part still staged').to.deep.equal([0]);
    expect(state.files.ofWindow(windowId).map((f) => f.status)).to.deep.equal(['uploaded', 'uploaded']);
    expect(existsSync(join(staging, crashed)), 'the crashed run\'s staging folder').to.equal(false);
  });

  it('gives up resuming when a staged copy is gone, so the window is extracted again', async () => {
    const crashed = '20261121T000000Z-111111';
    const a = stage(0, crashed);
    state.files.record(windowId, crashed, 'orders', a);
    rmSync(a.localPath);
    expect(await WindowOutbox.resume(deps, { window_id: windowId }, staging, crashed, async () => undefined)).to.equal(null);
    expect(state.files.ofWindow(windowId), 'nothing changed').to.have.length(1);
  });

  it('empties the outbox for a new attempt: staged copies and uploaded objects of the last one go', async () => {
    const outbox = new WindowOutbox(deps, windowId, RUN, async () => undefined);
    const uploaded = stage(0);
    outbox.add(uploaded);
    await outbox.finished();
    const staged = stage(1);
    state.files.record(windowId, RUN, 'orders', staged);

    await discardWindowParts(deps, windowId);
    expect(state.files.ofWindow(windowId)).to.deep.equal([]);
    expect(existsSync(staged.localPath)).to.equal(false);
    expect(readdirSync(join(dir, 'out'), { recursive: true }).filter((f) => String(f).endsWith('.ndjson.gz'))).to.deep.equal([]);
  });
});
