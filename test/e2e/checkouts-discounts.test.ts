// Abandoned checkouts and discounts, extracted from the sandbox over HTTP: each table has the rows the
// store's ground truth counts, and every link between them (a line item to its checkout, to a variant
// and product the same run wrote; a code to its discount) holds. A discount whose codes come back
// fewer than Shopify counts fails its window, the watermark staying.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runAgainst } from '../support/etl.ts';
import { manifests, readTable } from '../support/output.ts';

type Row = Record<string, unknown>;

const TABLES = ['abandoned_checkouts', 'abandoned_checkout_line_items', 'products', 'product_variants', 'customers', 'discounts', 'discount_codes'];
const cents = (v: unknown): number => Math.round(Number(v) * 100);

describe('abandoned checkouts and discounts against the sandbox', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-checkouts-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 20, products: 12, customers: 20, abandonedCheckouts: 60 } });
    const result = await runAgainst(sandbox, dir, ['--entities', 'abandoned_checkouts,products,customers,discounts,discount_codes', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of TABLES) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
    }
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abandoned checkouts: every line item belongs to a checkout and points at a variant of its product; the totals add up', () => {
    const checkouts = tables.abandoned_checkouts!;
    expect(checkouts.length).to.be.greaterThan(0);
    expect(checkouts.some((c) => c.completed_at !== null), 'some were recovered').to.equal(true);
    expect(checkouts.some((c) => (c.discount_codes as string[]).length > 0), 'some carry a typed code').to.equal(true);
    const variants = new Map(tables.product_variants!.map((v) => [v.id, v]));
    const customers = new Set(tables.customers!.map((c) => c.id));
    const lines = new Map<unknown, Row[]>();
    for (const line of tables.abandoned_checkout_line_items!) {
      const variant = variants.get(line.variant_id);
      expect(variant, `line item ${String(line.id)}'s variant`).to.not.equal(undefined);
      expect(variant!.product_id).to.equal(line.product_id);
      expect(cents(line.original_total_price)).to.equal(cents(line.original_unit_price) * (line.quantity as number));
      lines.set(line.abandoned_checkout_id, [...(lines.get(line.abandoned_checkout_id) ?? []), line]);
    }
    for (const c of checkouts) {
      const own = lines.get(c.id) ?? [];
      expect(own.length, `checkout ${String(c.id)} has line items`).to.be.greaterThan(0);
      if (c.customer_id !== null) expect(customers.has(c.customer_id), `checkout ${String(c.id)}'s customer`).to.equal(true);
      expect(cents(c.total_line_items_price)).to.equal(own.reduce((n, l) => n + cents(l.original_total_price), 0));
      expect(cents(c.subtotal_price)).to.equal(cents(c.total_line_items_price) - cents(c.total_discount));
      expect(cents(c.total_price)).to.equal(cents(c.subtotal_price) + cents(c.total_tax));
    }
    expect(new Set(tables.abandoned_checkout_line_items!.map((l) => l.abandoned_checkout_id)).size).to.equal(checkouts.length);
  });

  it('discounts: every type, its value and minimum in the columns its type has, a status that agrees with its dates', () => {
    const discounts = tables.discounts!;
    expect(new Set(discounts.map((d) => d.type))).to.have.keys('DiscountCodeBasic', 'DiscountCodeBxgy', 'DiscountCodeFreeShipping', 'DiscountCodeApp', 'DiscountAutomaticBasic', 'DiscountAutomaticBxgy', 'DiscountAutomaticFreeShipping', 'DiscountAutomaticApp');
    expect(new Set(discounts.map((d) => d.status))).to.have.keys('ACTIVE', 'EXPIRED', 'SCHEDULED');
    const now = Date.now();
    for (const d of discounts) {
      const what = `discount ${String(d.id)} (${String(d.type)})`;
      const starts = Date.parse(String(d.starts_at));
      const ends = d.ends_at === null ? Infinity : Date.parse(String(d.ends_at));
      expect(d.status, what).to.equal(starts > now ? 'SCHEDULED' : ends <= now ? 'EXPIRED' : 'ACTIVE');
      const type = String(d.type);
      if (type.endsWith('Basic')) expect(d.value_percentage !== null || d.value_amount !== null, what).to.equal(true);
      if (type.endsWith('Bxgy')) expect(d.value_type, what).to.equal('DiscountOnQuantity');
      if (type.endsWith('Bxgy')) expect(Number(d.value_quantity), what).to.be.greaterThan(0);
      if (type.endsWith('FreeShipping') || type.endsWith('App')) expect(d.value_type, what).to.equal(null);
      if (d.minimum_requirement_type === 'DiscountMinimumSubtotal') expect(Number(d.minimum_subtotal), what).to.be.greaterThan(0);
      if (d.minimum_requirement_type === 'DiscountMinimumQuantity') expect(Number(d.minimum_quantity), what).to.be.greaterThan(0);
      expect(d.codes_count === null, what).to.equal(type.startsWith('DiscountAutomatic'));
    }
  });

  it('discount codes: each belongs to a code discount, which counts exactly its codes and their uses; checkouts carry codes of the store', () => {
    const discounts = new Map(tables.discounts!.map((d) => [d.id, d]));
    const codes = new Map<unknown, Row[]>();
    for (const c of tables.discount_codes!) {
      const discount = discounts.get(c.discount_id);
      expect(discount, `code ${String(c.code)}'s discount`).to.not.equal(undefined);
      expect(String(discount!.type)).to.match(/^DiscountCode/);
      codes.set(c.discount_id, [...(codes.get(c.discount_id) ?? []), c]);
    }
    for (const d of tables.discounts!.filter((d) => String(d.type).startsWith('DiscountCode'))) {
      const own = codes.get(d.id) ?? [];
      expect(own.length, `discount ${String(d.title)}'s codes`).to.equal(d.codes_count);
      expect(own.reduce((n, c) => n + (c.usage_count as number), 0), `discount ${String(d.title)}'s uses`).to.equal(d.usage_count);
    }
    expect(Math.max(...[...codes.values()].map((c) => c.length)), 'a campaign of many codes').to.be.greaterThan(100);
    const known = new Set(tables.discount_codes!.map((c) => c.code));
    const typed = tables.abandoned_checkouts!.flatMap((c) => c.discount_codes as string[]);
    expect(typed.some((code) => known.has(code)), 'a checkout carries a code of the store').to.equal(true);
  });
});

describe('discount codes cut short', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const run = () => runAgainst(sandbox, dir, ['--entities', 'discounts,discount_codes', '--safety-lag', '0s']);
  const outcome = (result: Awaited<ReturnType<typeof run>>, entity: string) => result.shops[0]!.entities.find((e) => e.entity === entity)!;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-codes-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 10, products: 4, customers: 5 } });
  });
  afterEach(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the window with CHILDREN_INCOMPLETE naming the discount when every attempt gives fewer codes than codesCount; the watermark stays, the rerun completes', async () => {
    const first = await run();
    expect(first.exitCode).to.equal(0);
    const watermark = outcome(first, 'discount_codes').watermark;
    expect(watermark).to.not.equal(null);
    sandbox.faults.set({ cappedConnections: 3, connectionCap: 40, onlyQuery: 'codeDiscountNodes' });
    const failed = await run();
    expect(failed.exitCode).to.equal(1);
    const codes = outcome(failed, 'discount_codes');
    expect(codes.status).to.equal('failed');
    expect(codes.error?.code).to.equal('CHILDREN_INCOMPLETE');
    expect(codes.error?.message).to.match(/gave 40 of the \d+ codes Shopify counts for gid:\/\/shopify\/DiscountCodeNode\/\d+/);
    expect(codes.retries).to.equal(2);
    expect(codes.watermark).to.equal(watermark);
    expect(outcome(failed, 'discounts').status).to.equal('committed');
    const manifest = manifests(join(dir, 'out')).at(-1)!;
    expect(manifest.windows.map((w) => w.entity)).to.deep.equal(['discounts']);
    expect(manifest.failures.map((f) => f.code)).to.deep.equal(['CHILDREN_INCOMPLETE']);

    sandbox.faults.clear();
    const rerun = await run();
    expect(rerun.exitCode).to.equal(0);
    expect(outcome(rerun, 'discount_codes').watermark! > watermark!).to.equal(true);
    expect(outcome(rerun, 'discount_codes').rowsByTable.discount_codes).to.equal(sandbox.store.truth().discount_codes);
  });

  it('extracts the window again when one attempt is cut short, and commits every code', async () => {
    sandbox.faults.set({ cappedConnections: 1, connectionCap: 1, onlyQuery: 'codeDiscountNodes' });
    const result = await run();
    expect(result.exitCode).to.equal(0);
    expect(outcome(result, 'discount_codes').retries).to.equal(1);
    expect((await readTable(join(dir, 'out'), 'discount_codes')).length).to.equal(sandbox.store.truth().discount_codes);
  });
});
