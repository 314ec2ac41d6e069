// Every entity the ETL extracts must have a generator in the sandbox store: its query's root fields
// are roots the store serves, and the store's ground truth counts every table the entity writes,
// exactly as many rows as the entity's own processor makes of the store's JSONL. An entity added
// without its sandbox generator (packages/shopify-sandbox/README.md, "Adding an entity") fails here,
// not in a demo run.
import { expect } from 'chai';
import { Kind, parse } from 'graphql';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, STORE_ROOTS } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { loadQuery } from '../../src/entities/queries.ts';
import type { QueryPart } from '../../src/entities/types.ts';
import type { JsonObject } from '../../src/rows/types.ts';

/** Rows per table the entity's processor makes from the store's bulk result for its query. */
async function rowsFromStore(store: Store, entity: QueryPart, dir: string): Promise<Record<string, number>> {
  const path = join(dir, `${entity.name}.jsonl`);
  await store.writeBulkResult(parse(loadQuery(entity)), path, { ordering: 'interleaved' });
  const counts: Record<string, number> = Object.fromEntries(entity.tables.map((t) => [t.name, 0]));
  const sink = { row: (table: string): void => { counts[table] = (counts[table] ?? 0) + 1; } };
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) entity.process(JSON.parse(line) as JsonObject, sink);
  return counts;
}

describe('the sandbox store serves every entity of the registry', () => {
  const truth = new Store({ seed: 1, shopDomain: 'generators.myshopify.com', size: { orders: 3, products: 2, customers: 2 } }).truth();

  for (const entity of entities.flatMap((e) => e.parts)) {
    it(`${entity.name}: a generator for each root field of its query, and truth for each of its tables`, () => {
      const roots = parse(loadQuery(entity)).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? d.selectionSet.selections : []))
        .flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
      expect(roots, 'root fields of its query').not.to.be.empty;
      for (const root of roots) expect(STORE_ROOTS, `no sandbox generator serves ${root}`).to.include(root);
      for (const table of entity.tables) expect(truth, `the sandbox's truth() has no count for ${table.name}`).to.have.property(table.name);
    });
  }

  it('truth() counts, for every table, the rows the entities make of the store\'s JSONL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generators-'));
    try {
      const store = new Store({ seed: 7, shopDomain: 'generators.myshopify.com' });
      const truth = store.truth();
      // Summed over an entity's queries: several may write one table (metafields, one query per owner).
      for (const entity of entities.filter((e) => e.kind === 'bulk')) {
        const rows: Record<string, number> = {};
        for (const part of entity.parts.filter((p) => p.kind === 'bulk')) {
          for (const [table, n] of Object.entries(await rowsFromStore(store, part, dir))) rows[table] = (rows[table] ?? 0) + n;
        }
        // A table a paged query also writes (the shop's metafields) gets those rows from ordinary
        // requests, not a bulk result: its bulk rows are part of its truth, the paged e2e tests the rest.
        const alsoPaged = new Set(entity.parts.filter((p) => p.kind !== 'bulk').flatMap((p) => p.tables.map((t) => t.name)));
        for (const [table, n] of Object.entries(rows)) {
          if (alsoPaged.has(table)) expect(n, `${table}: rows from the store's JSONL vs truth()`).to.be.within(1, truth[table]! - 1);
          else expect(n, `${table}: rows from the store's JSONL vs truth()`).to.equal(truth[table]);
        }
        for (const table of entity.tables) expect(truth[table.name], `${table.name} has rows in the default store`).to.be.greaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
