// An entity of one object (shop), which bulk queries cannot read: one ordinary GraphQL request. Same
// staging, upload and commit path as the bulk entities.
import type { Entity } from '../entities/types.ts';
import type { JsonObject } from '../rows/types.ts';
import { loadQuery } from '../entities/queries.ts';
import { processPlain, type ProcessResult, type RunMeta } from '../pipeline/process.ts';
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
  const data = await deps.client.request<JsonObject>(loadQuery(entity));
  // The answer's time orders this row after any earlier copy (see readAt in bulk-window.ts).
  const extractedAt = new Date();
  const stage = deps.staging.open(window);
  let result: ProcessResult;
  try {
    result = await processPlain(entity, data, stage.writers, { ...deps.meta, extractedAt }, deps.gzipLevel);
  } catch (err) {
    await stage.abort();
    throw err;
  }
  return { ...(await stage.complete(result)), operationId: null, objectCount: null };
}
