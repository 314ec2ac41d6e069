// An entity read with ordinary GraphQL requests: one (shop: a single object, which bulk queries cannot
// read), or one per page of a connection bulk queries cannot reach (payouts). Same staging, upload and
// commit path as the bulk entities.
import type { Entity } from '../entities/types.ts';
import type { JsonObject } from '../rows/types.ts';
import { loadQuery } from '../entities/queries.ts';
import { processPlain, type ProcessResult, type RunMeta } from '../pipeline/process.ts';
import { pageOf } from '../entities/define.ts';
import type { Progress } from '../report/progress.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import type { Staging, WindowOutput } from './staging.ts';
import type { WindowMachine } from './window.ts';

export interface PlainWindowDeps {
  client: Pick<ShopifyClient, 'request'>;
  staging: Staging;
  progress: Progress;
  meta: Omit<RunMeta, 'extractedAt'>;
  gzipLevel: number;
}

export async function extractPlainWindow(deps: PlainWindowDeps, entity: Entity, window: WindowMachine): Promise<WindowOutput> {
  deps.progress.update(entity.name, { phase: 'streaming' });
  const query = loadQuery(entity);
  let data = await deps.client.request<JsonObject>(query);
  // The first answer's time orders these rows after any earlier copy (see readAt in bulk-window.ts).
  const extractedAt = new Date();
  const stage = deps.staging.open(window);
  const result: ProcessResult = { lines: 0, rootLines: 0, rowsByTable: {}, maxCursor: null };
  try {
    // A paged entity: one page at a time into the stage, so memory holds one page, never the connection.
    for (;;) {
      const page = await processPlain(entity, data, stage.writers, { ...deps.meta, extractedAt }, deps.gzipLevel);
      result.lines += page.lines;
      result.rootLines += page.rootLines;
      result.rowsByTable = sumCounts(result.rowsByTable, page.rowsByTable);
      const after = entity.paging ? pageOf(data, entity.paging)?.next ?? null : null;
      if (after === null) break;
      data = await deps.client.request<JsonObject>(query, { after });
    }
  } catch (err) {
    await stage.abort();
    throw err;
  }
  return { ...(await stage.complete(result)), operationId: null, objectCount: null };
}

function sumCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys({ ...a, ...b }).map((t) => [t, (a[t] ?? 0) + (b[t] ?? 0)]));
}
