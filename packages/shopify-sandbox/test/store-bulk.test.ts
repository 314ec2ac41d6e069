// The store's bulk side: orderings, search filters, mutations, and streaming with bounded memory.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { QUERIES_DIR, queryFile } from './support/queries.ts';
import { makeStore, runBulk, withFilter, type Line } from './support/store.ts';

const run = promisify(execFile);

// Products with variants and, under each variant, its metafields: two levels of child lines.
const NESTED = `{ products { edges { node { __typename id title
  variants { edges { node { __typename id metafields { edges { node { id } } } } } }
  media { edges { node { __typename id } } } } } } }`;

const sorted = (text: string): string[] => text.split('\n').filter(Boolean).sort();

function checkGrouped(lines: readonly Line[]): void {
  // Depth-first: every line's parent is on the path of lines still "open" above it.
  const open: string[] = [];
  for (const line of lines) {
    if (line.__parentId === undefined) open.length = 0;
    else {
      while (open.length > 0 && open[open.length - 1] !== line.__parentId) open.pop();
      expect(open.length, `${line.id} right under its parent`).to.be.greaterThan(0);
    }
    if (line.id) open.push(line.id);
  }
}

describe('sandbox store: bulk results', () => {
  describe('orderings', () => {
    for (const query of [queryFile('orders'), queryFile('products'), NESTED]) {
      it(`give the same lines in every ordering, each with its property (${query.slice(0, 30).replace(/\s+/g, ' ')}…)`, async () => {
        const store = makeStore();
        const grouped = await runBulk(store, query, 'grouped');
        const interleaved = await runBulk(store, query, 'interleaved');
        const childrenFirst = await runBulk(store, query, 'children-first');
        expect(sorted(interleaved.text)).to.deep.equal(sorted(grouped.text));
        expect(sorted(childrenFirst.text)).to.deep.equal(sorted(grouped.text));
        expect(interleaved.result).to.deep.equal(grouped.result);
        expect(childrenFirst.result).to.deep.equal(grouped.result);

        checkGrouped(grouped.lines);
        if (query === NESTED) {
          const variants = new Set(grouped.lines.filter((l) => l.__typename === 'ProductVariant').map((l) => l.id));
          expect(grouped.lines.some((l) => variants.has(l.__parentId))).to.equal(true);
        }

        const position = new Map(interleaved.lines.map((l, i) => [l.id, i]));
        interleaved.lines.forEach((line, i) => {
          if (line.__parentId === undefined) return;
          expect(interleaved.lines[i - 1]?.id, `${line.id} directly after its parent`).to.not.equal(line.__parentId);
          expect(position.get(line.__parentId)!, `${line.id} after its parent`).to.be.lessThan(i);
        });

        const seen = new Set<string>();
        let early = 0;
        for (const line of childrenFirst.lines) {
          if (line.__parentId !== undefined && !seen.has(line.__parentId)) early++;
          if (line.id) seen.add(line.id);
        }
        expect(early).to.be.greaterThan(0);
        expect(early).to.be.lessThan(childrenFirst.lines.filter((l) => l.__parentId !== undefined).length);
      });
    }

    it('keeps roots in id order in every ordering', async () => {
      const store = makeStore();
      for (const ordering of ['grouped', 'interleaved', 'children-first'] as const) {
        const { lines } = await runBulk(store, queryFile('orders'), ordering);
        expect(lines.filter((l) => l.__parentId === undefined).map((l) => l.id)).to.deep.equal(store.ids('orders'));
      }
    });
  });

  describe('search filters', () => {
    const since = new Date('2025-10-01T00:00:00Z');
    const until = new Date('2026-01-15T12:00:00Z');

    for (const entity of ['orders', 'products', 'customers'] as const) {
      it(`select exactly the ${entity} updated in [since, until), with their children`, async () => {
        const store = makeStore();
        const filter = `updated_at:>='${since.toISOString()}' AND updated_at:<'${until.toISOString()}'`;
        const { lines } = await runBulk(store, withFilter(queryFile(entity), entity, filter));
        const roots = lines.filter((l) => l.__parentId === undefined);
        const expected = store.ids(entity, { since, until });
        expect(expected.length).to.be.within(1, store.ids(entity).length - 1);
        expect(roots.map((r) => r.id)).to.deep.equal(expected);
        for (const root of roots) expect(Date.parse(root['updatedAt'] as string)).to.be.within(since.getTime(), until.getTime() - 1);
        const truth = store.truth({ since, until });
        expect(roots.length).to.equal(truth[entity]);
        const children = lines.length - roots.length;
        const childTables = entity === 'orders' ? ['order_line_items', 'order_shipping_lines', 'order_discount_applications'] : entity === 'products' ? ['product_variants', 'product_media'] : ['customer_addresses'];
        expect(children).to.equal(childTables.reduce((sum, t) => sum + (truth[t] ?? 0), 0));
      });
    }

    it('accepts double quotes, bare values, spaces for AND, created_at, dates, and ignores unknown fields', async () => {
      const store = makeStore();
      const orders = queryFile('orders');
      const rootIds = async (filter: string): Promise<string[]> =>
        (await runBulk(store, withFilter(orders, 'orders', filter))).lines.filter((l) => l.__parentId === undefined).map((l) => l.id!);
      const window = store.ids('orders', { since, until });
      expect(await rootIds(`updated_at:>="${since.toISOString()}" updated_at:<"${until.toISOString()}"`)).to.deep.equal(window);
      expect(await rootIds(`updated_at:>=${since.toISOString()} AND updated_at:<${until.toISOString()} AND made_up:value`)).to.deep.equal(window);
      expect(await rootIds('made_up:>=2025-01-01')).to.deep.equal(store.ids('orders'));
      const all = (await runBulk(store, orders)).lines.filter((l) => l.__parentId === undefined);
      const createdBefore = all.filter((o) => Date.parse(o['createdAt'] as string) < Date.parse('2025-12-01T00:00:00Z')).map((o) => o.id);
      expect(createdBefore.length).to.be.within(1, all.length - 1);
      expect(await rootIds("created_at:<'2025-12-01'")).to.deep.equal(createdBefore);
      const onDay = all.filter((o) => (o['createdAt'] as string).startsWith('2025-12-01')).map((o) => o.id);
      expect(await rootIds('created_at:2025-12-01')).to.deep.equal(onDay);
    });

    for (const entity of ['orders', 'products', 'customers'] as const) {
      it(`select the ${entity} in an id range, with a time range: id:>N AND id:<=M`, async () => {
        const store = makeStore();
        const all = store.ids(entity);
        const numeric = (gid: string): string => gid.split('/').at(-1)!;
        const after = numeric(all[2]!);
        const through = numeric(all[7]!);
        const rootIds = async (filter: string): Promise<string[]> =>
          (await runBulk(store, withFilter(queryFile(entity), entity, filter))).lines.filter((l) => l.__parentId === undefined).map((l) => l.id!);
        expect(await rootIds(`id:>${after} AND id:<=${through}`)).to.deep.equal(all.slice(3, 8));
        expect(await rootIds(`id:>=${after} id:<${through}`)).to.deep.equal(all.slice(2, 7));
        expect(await rootIds(`id:${after}`)).to.deep.equal([all[2]]);
        const window = store.ids(entity, { since, until });
        const cut = numeric(window[Math.floor(window.length / 2)]!);
        const timeFilter = `updated_at:>='${since.toISOString()}' AND updated_at:<'${until.toISOString()}'`;
        const low = await rootIds(`${timeFilter} AND id:<=${cut}`);
        const high = await rootIds(`${timeFilter} AND id:>${cut}`);
        expect(low.length).to.be.within(1, window.length - 1);
        expect([...low, ...high]).to.deep.equal(window);
      });
    }

    it('honours includeInactive on locations, and filters inventory items and collections by updated_at', async () => {
      const store = makeStore({ locations: 6 });
      const active = await runBulk(store, '{ locations { edges { node { id isActive } } } }');
      const all = await runBulk(store, queryFile('locations'));
      expect(all.lines.length).to.equal(6);
      expect(active.lines.every((l) => l['isActive'] === true)).to.equal(true);
      expect(active.lines.length).to.equal(all.lines.filter((l) => l['isActive'] === true).length);
      expect(active.lines.length).to.be.lessThan(6);
      for (const root of ['inventoryItems', 'collections']) {
        const query = `{ ${root} { edges { node { id updatedAt } } } }`;
        const everything = (await runBulk(store, query)).lines;
        const cut = everything.map((l) => l['updatedAt'] as string).sort()[Math.floor(everything.length / 2)]!;
        const later = (await runBulk(store, withFilter(query, root, `updated_at:>='${cut}'`))).lines;
        expect(later.map((l) => l.id)).to.deep.equal(everything.filter((l) => (l['updatedAt'] as string) >= cut).map((l) => l.id));
        expect(later.length).to.be.within(1, everything.length - 1);
      }
    });
  });

  describe('mutate', () => {
    it('bumps and adds exactly the roots it reports, and leaves every other line as it was', async () => {
      const store = makeStore();
      const before = await runBulk(store, queryFile('orders'));
      const truthBefore = store.truth();
      const at = new Date('2026-06-01T12:00:00Z');
      const change = store.mutate({ touch: 4, add: 3, at });
      for (const entity of ['orders', 'products', 'customers'] as const) {
        expect(change.touched[entity]).to.have.length(4);
        expect(change.added[entity]).to.have.length(3);
        expect(store.ids(entity, { since: at })).to.have.members([...change.touched[entity]!, ...change.added[entity]!]);
        expect(store.ids(entity)).to.include.members(change.added[entity]!);
      }
      const truth = store.truth();
      expect(truth['orders']).to.equal(truthBefore['orders']! + 3);
      expect(truth['products']).to.equal(truthBefore['products']! + 3);
      expect(truth['customers']).to.equal(truthBefore['customers']! + 3);

      const after = await runBulk(store, queryFile('orders'));
      const changed = new Set([...change.touched['orders']!, ...change.added['orders']!]);
      const unchanged = (run: typeof before): string[] =>
        run.text.split('\n').filter((_text, i) => {
          const line = run.lines[i];
          return line !== undefined && !changed.has(line.__parentId ?? line.id!);
        });
      expect(unchanged(after)).to.deep.equal(unchanged(before));
      for (const line of after.lines.filter((l) => changed.has(l.id!))) expect(line['updatedAt']).to.equal('2026-06-01T12:00:00Z');
      const added = after.lines.filter((l) => change.added['orders']!.includes(l.id!));
      expect(added).to.have.length(3);
      for (const line of added) expect(line['createdAt']).to.equal('2026-06-01T12:00:00Z');
      expect(after.lines.some((l) => change.added['orders']!.includes(l.__parentId ?? ''))).to.equal(true);
    });

    it('touches only the entities asked for, and a second mutation picks its own roots', () => {
      const store = makeStore();
      const first = store.mutate({ entities: ['products'], touch: 2, add: 0, at: new Date('2026-06-01T11:00:00Z') });
      expect(Object.keys(first.touched)).to.deep.equal(['products']);
      expect(store.ids('orders', { since: new Date('2026-06-01T11:00:00Z') })).to.deep.equal([]);
      const second = store.mutate({ entities: ['products'], touch: 2, add: 1, at: new Date('2026-06-01T12:00:00Z') });
      expect(store.ids('products', { since: new Date('2026-06-01T12:00:00Z') })).to.have.members([...second.touched['products']!, ...second.added['products']!]);
    });
  });

  it('streams a big store in a heap far smaller than its file, with rss growth well under the file size', async function () {
    this.timeout(120_000);
    // A child process whose heap is capped at 32 MB: if the store held the file (or its records) in
    // memory, the child would die of heap exhaustion rather than finish a file over 100 MB.
    const dir = mkdtempSync(join(tmpdir(), 'store-big-'));
    const path = join(dir, 'orders.jsonl');
    const script = `
      import { readFileSync } from 'node:fs';
      import { parse } from 'graphql';
      import { Store } from ${JSON.stringify(new URL('../src/store/index.ts', import.meta.url).href)};
      const store = new Store({ seed: 3, shopDomain: 'big.myshopify.com', now: () => new Date('2026-06-01T00:00:00Z'), size: { orders: 20000, products: 300, customers: 5000 } });
      const document = parse(readFileSync(${JSON.stringify(fileURLToPath(new URL('orders.graphql', QUERIES_DIR)))}, 'utf8'));
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
      const result = await store.writeBulkResult(document, ${JSON.stringify(path)}, { ordering: 'interleaved' });
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      console.log(JSON.stringify({ ...result, growth: peak - baseline }));`;
    try {
      const { stdout } = await run(process.execPath, ['--max-old-space-size=32', '--max-semi-space-size=2', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url) });
      const report = JSON.parse(stdout) as { objectCount: number; rootObjectCount: number; fileSize: number; growth: number };
      expect(report.rootObjectCount).to.equal(20_000);
      expect(report.objectCount).to.be.greaterThan(60_000);
      expect(statSync(path).size).to.equal(report.fileSize);
      expect(report.fileSize).to.be.greaterThan(100_000_000);
      expect(report.growth).to.be.lessThan(report.fileSize / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
