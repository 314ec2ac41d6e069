// The sandbox's simulated shop data: a seeded, deterministic store whose records are generated on
// demand from (seed, index), plus a small overlay of changes. Protocol (the HTTP + bulk-operation
// half of the sandbox) calls writeBulkResult() once a bulk query has been validated and run.
import type { DocumentNode } from 'graphql';
import { executeBulkQuery, planBulkQuery, type LineGroup } from './bulk-executor.ts';
import { ROOT_ENTITIES, StoreContext, type RootEntity, type StoreSize } from './context.ts';
import { StoreGraph } from './graph.ts';
import { writeLines } from './jsonl-writer.ts';
import { orderLines, type Ordering } from './orderings.ts';
import { rngFor, Streams } from './prng.ts';
import { rootGid, rootIndexes, rootResolver } from './roots.ts';
import { shopRecord } from './shop.ts';
import { timelineFor, toSeconds } from './time.ts';
import { inWindow, truthCounts } from './truth.ts';

export type { Ordering } from './orderings.ts';
export type { StoreSize } from './context.ts';

export const DEFAULT_STORE_SIZE: StoreSize = { orders: 120, products: 40, customers: 60, locations: 3, collections: 6 };

export interface StoreOptions {
  seed: number;
  size?: Partial<StoreSize>;
  shopDomain: string;
  now?: () => Date;
  /** The instant the seeded data's year ends at (to the hour); default now(). Fixed, the data is the same every day. */
  dataUntil?: Date;
}

export interface BulkFileResult {
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
}

/** Entity → GIDs. */
export interface ChangeSet {
  touched: Record<string, string[]>;
  added: Record<string, string[]>;
}

export interface Change {
  /** Default: orders, products and customers. */
  entities?: RootEntity[];
  /** Existing roots per entity whose updatedAt moves to `at` (default 5). */
  touch?: number;
  /** New roots per entity, created and updated at `at` (default 2). */
  add?: number;
  /** Default: now(). Kept at Shopify's one-second precision. */
  at?: Date;
}

export class Store {
  private readonly ctx: StoreContext;
  private readonly graph: StoreGraph;
  private readonly now: () => Date;
  private mutations = 0;

  constructor(options: StoreOptions) {
    this.now = options.now ?? (() => new Date());
    const size = { ...DEFAULT_STORE_SIZE, ...options.size };
    for (const [key, value] of Object.entries(size)) {
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`store size ${key} must be a whole number >= 0, got ${value}`);
    }
    if (size.orders > 0 && size.products === 0) throw new RangeError('a store with orders needs at least one product');
    this.ctx = new StoreContext(options.seed >>> 0, size, timelineFor(options.dataUntil ?? this.now()), options.shopDomain);
    this.graph = new StoreGraph(this.ctx);
  }

  /** Root value for ordinary (non-bulk) GraphQL execution: plain objects, so default resolvers work. */
  rootValue(): Record<string, unknown> {
    return { shop: shopRecord(this.ctx) };
  }

  /** Runs a bulk query (already validated against the served schema) and streams its JSONL to `path`. */
  async writeBulkResult(document: DocumentNode, path: string, options: { ordering: Ordering }): Promise<BulkFileResult> {
    const plan = planBulkQuery(document);
    let rootObjectCount = 0;
    let objectCount = 0;
    function* counted(groups: Iterable<LineGroup>): Generator<LineGroup> {
      for (const group of groups) {
        rootObjectCount++;
        objectCount += group.lines.length;
        yield group;
      }
    }
    const groups = counted(executeBulkQuery(plan, rootResolver(this.graph)));
    const { bytes } = await writeLines(orderLines(groups, options.ordering, this.ctx.seed), path);
    return { objectCount, rootObjectCount, fileSize: bytes };
  }

  /** Changes data between runs: touches existing roots (updatedAt = at) and adds new ones, per entity. */
  mutate(change: Change = {}): ChangeSet {
    const at = toSeconds(change.at ?? this.now());
    const touch = change.touch ?? 5;
    const add = change.add ?? 2;
    const result: ChangeSet = { touched: {}, added: {} };
    this.mutations++;
    for (const entity of change.entities ?? ROOT_ENTITIES) {
      const existing = this.ctx.count(entity);
      const chosen = pickDistinct(rngFor(this.ctx.seed, Streams.mutation, this.mutations, ROOT_ENTITIES.indexOf(entity)), existing, touch);
      for (const i of chosen) this.ctx.overlay.touch(entity, i, at);
      for (let k = 0; k < add; k++) this.ctx.overlay.add(entity, at);
      result.touched[entity] = chosen.map((i) => rootGid(this.graph, entity, i));
      result.added[entity] = Array.from({ length: add }, (_, k) => rootGid(this.graph, entity, existing + k));
    }
    return result;
  }

  /** Rows per ETL table from the store's own model, optionally for roots updated in [since, until). */
  truth(filter?: { since?: Date; until?: Date }): Record<string, number> {
    return truthCounts(this.graph, filter);
  }

  /** GIDs of an entity's roots with updatedAt in [since, until), in id order. */
  ids(entity: RootEntity, filter: { since?: Date; until?: Date } = {}): string[] {
    return [...rootIndexes(this.graph, entity, (t) => inWindow(filter, t.updated))].map((i) => rootGid(this.graph, entity, i));
  }
}

/** `count` distinct integers from [0, n) (all of them if count >= n), ascending; a sparse Fisher–Yates. */
function pickDistinct(rng: { int(n: number): number }, n: number, count: number): number[] {
  const take = Math.min(n, Math.max(0, count));
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let k = 0; k < take; k++) {
    const j = k + rng.int(n - k);
    picked.push(swapped.get(j) ?? j);
    swapped.set(j, swapped.get(k) ?? k);
  }
  return picked.sort((x, y) => x - y);
}
