// An entity read with one ordinary GraphQL request (shop: a single object, which bulk queries cannot
// read). Same staging, upload and commit path as the bulk entities.
import type { Entity } from '../entities/types.ts';
import type { JsonObject } from '../rows/types.ts';
import { loadQuery } from '../entities/queries.ts';
import { processPlain } from '../pipeline/process.ts';
import type { WindowRow } from '../state/db.ts';
import type { ShopContext } from './context.ts';
import { stageAndUpload, windowStagingDir, type WindowOutput } from './files.ts';

export async function extractPlainWindow(ctx: ShopContext, entity: Entity, window: WindowRow): Promise<WindowOutput> {
  ctx.progress.update(entity.name, { phase: 'streaming' });
  const data = await ctx.client.request<JsonObject>(loadQuery(entity));
  // The answer's time orders this row after any earlier copy (see readAt in bulk-window.ts).
  const extractedAt = new Date();
  const created = (data.shop as JsonObject | undefined)?.createdAt;
  if (typeof created === 'string') ctx.shopCreatedAt = new Date(created);
  const stagingDir = windowStagingDir(ctx.config.staging, ctx.runId, window.window_id);
  const output = await stageAndUpload(ctx, entity, window, stagingDir, (writers) =>
    processPlain(entity, data, writers, { shop: ctx.shop, runId: ctx.runId, extractedAt, currency: ctx.shopCurrency }, ctx.config.gzipLevel));
  return { ...output, operationId: null, objectCount: null };
}
