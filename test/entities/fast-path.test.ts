// The fast path (columns.ts) must write, for every record, exactly the text the general path writes,
// or step aside: checked on every record of every entity the sandbox store produces, on the fixtures,
// and on mutations of those records (an unknown key, a missing key, a value of another type, at the
// top level and one level down), where either both paths give the same bytes or both fail alike.
import { expect } from 'chai';
import { parse } from 'graphql';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, inflateRawSync } from 'node:zlib';
import { entities } from '../../src/entities/index.ts';
import { loadQuery } from '../../src/entities/queries.ts';
import type { Entity, JsonObject, JsonValue, RowSink } from '../../src/entities/types.ts';
import { isEtlError } from '../../src/errors.ts';
import { TableRows } from '../../src/pipeline/batch.ts';
import { Store } from '../../src/sandbox/store/index.ts';

const STAMP = { shop: 'fast-path.myshopify.com', runId: 'run-"1"', extractedAt: '2026-03-05T06:00:00.000Z' };

/** The NDJSON each table gets from these records (as the workers write it), or the failure's code and message. */
function output(entity: Entity, records: JsonObject[], fast: boolean): string {
  const rows = new TableRows(entity, STAMP);
  // Without text(), a sink gets every row as an object: the general path alone.
  const sink: RowSink = fast ? rows : { row: (table, row) => rows.row(table, row) };
  try {
    for (const record of records) entity.process(structuredClone(record), sink);
  } catch (err) {
    if (!isEtlError(err)) throw err;
    return `failed: ${err.code} ${err.message}`;
  }
  return rows
    .encode(1)
    .map(({ table, segment }) => `${table}:\n${inflateRawSync(segment.bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')}`)
    .join('');
}

/** Whether the fast path wrote these records itself (any row), as opposed to handing them all to row(). */
function tookFastPath(entity: Entity, records: JsonObject[]): boolean {
  let texts = 0;
  const sink: RowSink = { row: () => undefined, text: () => void texts++ };
  for (const record of records) entity.process(structuredClone(record), sink);
  return texts > 0;
}

const OTHER_TYPE = (v: JsonValue): JsonValue[] => {
  if (v === null) return [{}, 'x', 1];
  if (typeof v === 'string') return [7, null, ['x'], `${v}\u2028"\\`, 'gid://shopify/Other/x'];
  if (typeof v === 'number') return ['x', 1.5, 2 ** 60, -0, null];
  if (typeof v === 'boolean') return ['true', 0, null];
  if (Array.isArray(v)) return [{}, 'x', null, [...v, 'x'], [...v, { odd: true }], [null]];
  return ['x', [], null, { ...v, unknown: 1 }];
};

/** Variants of a record: each key removed, given other values, and (for objects) changed one level down; plus an unknown key. */
function* mutations(record: JsonObject): Generator<JsonObject> {
  yield { ...record, addedByANewApiVersion: { a: 1 } };
  for (const [key, value] of Object.entries(record)) {
    const { [key]: _gone, ...without } = record;
    yield without;
    for (const other of OTHER_TYPE(value)) yield { ...record, [key]: other };
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        const { [inner]: _innerGone, ...innerWithout } = value;
        yield { ...record, [key]: innerWithout };
        for (const other of OTHER_TYPE(innerValue)) yield { ...record, [key]: { ...value, [inner]: other } };
      }
    }
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0])) {
      const first = value[0];
      for (const [inner, innerValue] of Object.entries(first)) {
        for (const other of OTHER_TYPE(innerValue)) yield { ...record, [key]: [{ ...first, [inner]: other }, ...value.slice(1)] };
      }
    }
  }
}

describe('the fast path writes what the general path writes', function () {
  this.timeout(120_000);
  const bulk = entities.filter((e) => e.kind === 'bulk');
  const linesOf: Record<string, JsonObject[]> = {};
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-fast-'));
    const store = new Store({ seed: 11, shopDomain: 'fast-path.myshopify.com', now: () => new Date('2026-03-01T00:00:00Z'), size: { orders: 150, products: 40, customers: 60 } });
    for (const entity of bulk) {
      const path = join(dir, `${entity.name}.jsonl`);
      await store.writeBulkResult(parse(loadQuery(entity)), path, { ordering: 'interleaved' });
      const fixture = readFileSync(new URL(`../fixtures/${entity.name}.jsonl`, import.meta.url), 'utf8');
      linesOf[entity.name] = [readFileSync(path, 'utf8'), fixture].flatMap((text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonObject));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Every bulk entity of the registry, so a new one is covered without touching this file.
  for (const { name } of entities.filter((e) => e.kind === 'bulk')) {
    it(`${name}: same text for every sandbox and fixture record, and the fast path takes them`, () => {
      const entity = bulk.find((e) => e.name === name)!;
      const records = linesOf[name]!;
      expect(records.length).to.be.greaterThan(0);
      const fast = output(entity, records, true);
      expect(fast).to.not.match(/^failed/);
      expect(fast).to.equal(output(entity, records, false));
      // Every table with rows got some through the fast path (records of the expected shape take it).
      for (const table of entity.tables) {
        const typed = records.filter((r) => output(entity, [r], false).includes(`${table.name}:\n`));
        if (typed.length > 0) expect(tookFastPath(entity, typed), table.name).to.equal(true);
      }
    });

    it(`${name}: same text or the same failure for mutated records`, () => {
      const entity = bulk.find((e) => e.name === name)!;
      // One record of each __typename is enough: mutations cover each of its keys.
      const samples = [...new Map(linesOf[name]!.map((r) => [r.__typename, r])).values()];
      let checked = 0;
      for (const sample of samples) {
        for (const variant of mutations(sample)) {
          expect(output(entity, [variant], true), JSON.stringify(variant)).to.equal(output(entity, [variant], false));
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(samples.length * 10);
    });
  }
});
