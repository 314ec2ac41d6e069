// What the fault and soak tests check after every run: the published output (files the manifests
// list) against the sandbox store's truth, the watermark against what was published, and logs and
// errors against leaked secrets.
import { expect } from 'chai';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/report/log.ts';
import type { BulkOperationRecord, Sandbox } from 'shopify-sandbox';
import { entityByName } from '../../src/entities/index.ts';
import { loadQuery } from '../../src/entities/queries.ts';
import { StateDb } from '../../src/state/db.ts';
import { manifests, readPublished } from './output.ts';

export type RootEntity = 'orders' | 'customers' | 'products';

/** Every published version of each record of an entity's table: GID → updated_at values. */
async function publishedVersions(dir: string, entity: RootEntity): Promise<Map<string, Set<string>>> {
  const out = join(dir, 'out');
  const versions = new Map<string, Set<string>>();
  for (const row of await readPublished(out, manifests(out), entity)) {
    const id = String(row.admin_graphql_api_id);
    versions.set(id, (versions.get(id) ?? new Set()).add(String(row.updated_at)));
  }
  return versions;
}

/** True when the store says `id` was last updated exactly at `updatedAt`. */
function isCurrent(sandbox: Sandbox, entity: RootEntity, id: string, updatedAt: string): boolean {
  const at = new Date(updatedAt);
  return sandbox.store.ids(entity, { since: at, until: new Date(at.getTime() + 1) }).includes(id);
}

/**
 * Deduplicated on (id, updated_at), the newest published version of every record is the store's
 * current one, and no record is missing or extra.
 */
export async function expectPublishedEqualsTruth(sandbox: Sandbox, dir: string, entities: RootEntity[]): Promise<void> {
  for (const entity of entities) {
    const versions = await publishedVersions(dir, entity);
    expect([...versions.keys()].sort(), `${entity}: published ids`).to.deep.equal(sandbox.store.ids(entity).sort());
    for (const [id, seen] of versions) {
      const newest = [...seen].sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1)!;
      expect(isCurrent(sandbox, entity, id, newest), `${entity} ${id}: newest published updated_at ${newest} is the store's`).to.equal(true);
    }
  }
}

/** The watermark never leads the data: every record updated before it is published in its current version. */
export async function expectWatermarkCovered(sandbox: Sandbox, dir: string, entities: RootEntity[]): Promise<void> {
  const state = StateDb.open(join(dir, 'state.db'));
  const watermarks = new Map(entities.map((e) => [e, state.windows.watermark(sandbox.shopDomain, e)]));
  state.close();
  for (const entity of entities) {
    const watermark = watermarks.get(entity);
    if (!watermark) continue;
    const versions = await publishedVersions(dir, entity);
    for (const id of sandbox.store.ids(entity, { until: new Date(watermark) })) {
      const current = [...(versions.get(id) ?? [])].some((v) => isCurrent(sandbox, entity, id, v));
      expect(current, `${entity} ${id} changed before the watermark ${watermark} but its current version is not published`).to.equal(true);
    }
  }
}

export function watermarkOf(sandbox: Sandbox, dir: string, entity: string): string | null {
  const state = StateDb.open(join(dir, 'state.db'));
  try {
    return state.windows.watermark(sandbox.shopDomain, entity);
  } finally {
    state.close();
  }
}

export interface CapturedLogs {
  logger: Logger;
  /** Parsed JSON log entries so far. */
  entries(): Array<Record<string, unknown>>;
  text(): string;
}

/** A JSON logger whose lines are kept for the test; `onEntry` sees each one as it is written. */
export function captureLogs(onEntry: (entry: Record<string, unknown>) => void = () => {}): CapturedLogs {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        onEntry(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return {
    logger: createLogger({ format: 'json', level: 'debug', stream }),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}

/** No secret anywhere in the given texts (log lines, error messages, CLI output). */
export function expectNoSecret(secrets: string[], ...texts: string[]): void {
  for (const secret of secrets) {
    for (const text of texts) expect(text.includes(secret), 'a secret leaked into output').to.equal(false);
  }
}

/** A GraphQL document's operation name (`query Orders {` → Orders). */
const operationName = (query: string): string | undefined => /^query\s+(\w+)/m.exec(query)?.[1];

/**
 * The sandbox's operations that read the entity's whole history (no lower updated_at bound), checked to
 * be exactly one per bulk query of the entity (Entity.parts): after a run was killed or stopped, each
 * operation it had submitted was adopted by the next run, none submitted again. Returns them.
 */
export function expectFullHistoryOncePerQuery(sandbox: Sandbox, entity: string, message: string): BulkOperationRecord[] {
  const names = entityByName(entity).parts.filter((p) => p.kind === 'bulk').map((p) => operationName(loadQuery(p)));
  const full = sandbox.operations().filter((op) => names.includes(operationName(op.query)) && !op.query.includes('updated_at:>='));
  expect(full.map((op) => operationName(op.query)).sort(), message).to.deep.equal([...names].sort());
  return full;
}
