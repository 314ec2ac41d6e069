// The window state machine on a real SQLite state and a real folder destination: the commit protocol's
// order (durable record before each step, the manifest before the commit), and moves it refuses.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtlError, ErrorCodes, isEtlError } from '../../src/errors/index.ts';
import { manifestObjectName } from '../../src/load/layout.ts';
import { LocalDestination } from '../../src/load/local.ts';
import { Manifest, type ManifestDocument } from '../../src/load/manifest.ts';
import { silentLogger } from '../support/log.ts';
import { StateDb } from '../../src/state/db.ts';
import type { CheckpointEvent } from '../../src/sync/hooks.ts';
import { WindowMachine } from '../../src/sync/window.ts';

const SHOP = 'acme.myshopify.com';
const RUN = '20261122T000000Z-222222';
const OP = { id: 'gid://shopify/BulkOperation/1', status: 'CREATED', errorCode: null, objectCount: 0, rootObjectCount: 0, fileSize: null, url: null, completedAt: null };

describe('the window state machine', () => {
  let dir: string;
  let state: StateDb;
  let manifest: Manifest;
  let persisted: string[];
  let checkpoints: Array<{ at: string; entity: string; status: string; listed: number }>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-window-'));
    state = StateDb.open(join(dir, 'state.db'));
    state.runs.start(RUN, SHOP);
    manifest = new Manifest(new LocalDestination(join(dir, 'out')), { runId: RUN, shop: SHOP, apiVersion: '2026-01', startedAt: new Date().toISOString(), toolVersion: 'test' });
    persisted = [];
    checkpoints = [];
  });
  afterEach(() => {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function machine(): WindowMachine {
    const id = state.windows.create({ runId: RUN, shop: SHOP, entity: 'orders', since: null, until: '2026-11-21T00:00:00.000Z' });
    return new WindowMachine({
      state,
      manifest,
      persist: async () => void persisted.push(state.windows.get(id).status),
      logger: silentLogger,
      signal: new AbortController().signal,
      hooks: {
        checkpoint: async (e: CheckpointEvent) => {
          const path = join(dir, 'out', manifestObjectName(SHOP, RUN));
          const listed = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ManifestDocument).windows.length : 0;
          checkpoints.push({ at: e.checkpoint, entity: e.entity, status: state.windows.get(id).status, listed });
        },
      },
    }, id);
  }

  it('goes planned → submitted → downloaded → uploaded → committed, durable after the submit and the commit, the manifest listing the window before the state commits it', async () => {
    const w = machine();
    expect(w.row.status).to.equal('planned');
    await w.submitting();
    expect(w.row).to.include({ status: 'submitted', operation_id: null });
    await w.submitted(OP, 'hash', SHOP);
    expect(w.row).to.include({ status: 'submitted', operation_id: OP.id });
    w.downloaded({ lines: 3, maxCursor: '2026-11-20T00:00:00Z' });
    expect(w.row).to.include({ status: 'downloaded', lines: 3 });
    w.uploaded({ lines: 3, maxCursor: '2026-11-20T00:00:00Z' });
    const row = w.row;
    const watermark = await w.commit({ windowKey: row.window_key, entity: 'orders', since: row.since, until: row.until, operationId: OP.id, checks: { objectCount: 3, linesRead: 3, linesMatchObjectCount: true } }, []);

    expect(w.row.status).to.equal('committed');
    expect(watermark).to.equal(state.windows.watermark(SHOP, 'orders')).and.not.equal(null);
    expect(persisted, 'made durable: the submit mark, the operation id, the commit').to.deep.equal(['submitted', 'submitted', 'committed']);
    expect(checkpoints, 'at before-commit the manifest lists the window and the state has not committed it').to.deep.equal([{ at: 'before-commit', entity: 'orders', status: 'uploaded', listed: 1 }]);
  });

  it('takes a plain window from planned straight to downloaded, and an attempt that starts over back to submitted', async () => {
    const plain = machine();
    plain.downloaded({ lines: 1, maxCursor: null });
    expect(plain.row.status).to.equal('downloaded');

    const again = machine();
    await again.submitting();
    await again.submitted(OP, 'hash', SHOP);
    again.downloaded({ lines: 1, maxCursor: null });
    await again.submitting();
    expect(again.row).to.include({ status: 'submitted', operation_id: null });
  });

  it('refuses to commit a window before its parts are uploaded, and to move a window that ended', async () => {
    const early = machine();
    await early.submitting();
    const refused = await early.commit({ windowKey: early.row.window_key, entity: 'orders', since: null, until: null, operationId: null, checks: { objectCount: null, linesRead: 0, linesMatchObjectCount: true } }, []).catch((err: unknown) => err);
    expect(isEtlError(refused, ErrorCodes.INTERNAL) && refused.message).to.match(/cannot move from submitted to committed/);
    expect(early.row.status).to.equal('submitted');
    expect(manifest.document.windows, 'nothing listed').to.deep.equal([]);

    const failed = machine();
    failed.failed(new EtlError(ErrorCodes.BULK_FAILED, 'failed'));
    expect(failed.row).to.include({ status: 'failed', error_code: 'BULK_FAILED' });
    expect(() => failed.downloaded({ lines: 0, maxCursor: null })).to.throw(/cannot move from failed to downloaded/);
    expect(() => failed.keptOpen(new EtlError(ErrorCodes.NETWORK, 'down'))).to.throw(/cannot move from failed to submitted/);

    const split = machine();
    split.abandoned(new EtlError(ErrorCodes.BULK_TIMEOUT, 'too much'));
    expect(split.row).to.include({ status: 'abandoned', error: 'too much; split in two' });
  });
});
