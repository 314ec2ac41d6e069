// Before a run resumes the windows an interrupted run left open, it takes them out of that run's
// manifest (which may already list a window that never committed) and marks the manifest
// interrupted. The resuming run lists them in its own manifest once they commit, so across all
// manifests every published file appears exactly once.
import type { Destination } from '../load/destination.ts';
import { manifestObjectName } from '../load/layout.ts';
import type { ManifestDocument } from '../load/manifest.ts';
import type { Logger } from '../log.ts';
import type { StateDb, WindowRow } from '../state/db.ts';

export async function retractInterrupted(state: StateDb, dest: Destination, shop: string, entities: string[], runId: string, logger: Logger): Promise<void> {
  const byRun = new Map<string, WindowRow[]>();
  for (const entity of entities) {
    for (const w of state.openWindows(shop, entity, runId)) byRun.set(w.run_id, [...(byRun.get(w.run_id) ?? []), w]);
  }
  for (const [oldRun, windows] of byRun) {
    const name = manifestObjectName(shop, oldRun);
    const doc = (await dest.readJson(name)) as ManifestDocument | null;
    if (!doc) continue;
    const reopened = (w: ManifestDocument['windows'][number]): boolean => windows.some((o) => o.entity === w.entity && o.since === w.since && o.until === w.until);
    const kept = doc.windows.filter((w) => !reopened(w));
    const tables: ManifestDocument['tables'] = {};
    for (const f of kept.flatMap((w) => w.files)) {
      const t = (tables[f.table] ??= { files: 0, rows: 0, bytes: 0 });
      t.files += 1;
      t.rows += f.rows;
      t.bytes += f.bytes;
    }
    const status = doc.status === 'running' ? 'interrupted' : doc.status;
    await dest.writeJson(name, { ...doc, status, windows: kept, tables }, { replace: true });
    logger.info('interrupted run\'s manifest updated; its open windows are resumed by this run', { interruptedRun: oldRun, windowsResumed: windows.length, windowsKept: kept.length });
  }
}
