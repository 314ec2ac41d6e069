// The byte path (src/rows/bytes.ts) must write, for every line, exactly the bytes JSON.parse and the
// general path (src/rows/read.ts) write, or step aside: checked on every record of every entity the
// sandbox store produces and on the fixtures, as Shopify writes them (slashes escaped) and as
// JSON.stringify writes them; on mutations of those records (an unknown key, a missing key, a value of
// another type, at the top level and one level down), where either both paths give the same bytes or
// both fail alike; and on lines written in ways only JSON.parse accepts.
import { expect } from 'chai';
import { parse } from 'graphql';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, inflateRawSync } from 'node:zlib';
import { entities } from '../../src/entities/index.ts';
import { loadQuery } from '../../src/entities/queries.ts';
import type { QueryPart as Entity } from '../../src/entities/types.ts';
import type { JsonObject, JsonValue, Row } from '../../src/rows/types.ts';
import { processBatch, TableRows } from '../../src/pipeline/batch.ts';
import { Store } from 'shopify-sandbox';

const STAMP = { shop: 'byte-path.myshopify.com', runId: 'run-"1"', extractedAt: '2026-03-05T06:00:00.000Z', currency: 'CAD' };

/**
 * What processBatch (as a worker runs it) makes of these JSONL lines: counts, cursor and each table's
 * NDJSON, or the failure. With the byte path, or without it (JSON.parse and process()).
 */
function batchOutput(entity: Entity, lines: readonly string[], bytePath: boolean): string {
  const run = bytePath ? entity : { ...entity, transcode: undefined };
  const result = processBatch(run, STAMP, Buffer.from(lines.join('\n')), 1);
  if (!result.ok) return `failed: line ${result.line} ${result.code}${result.message}`;
  const tables = result.segments.map(({ table, segment }) => `${table}:\n${inflateRawSync(segment.bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')}`);
  return `${result.lines} lines, ${result.rootLines} roots, cursor ${result.maxCursor}\n${tables.join('')}`;
}

/** Whether the byte path writes this line itself. */
function bytePathTakes(entity: Entity, line: string): boolean {
  const bytes = Buffer.from(line);
  try {
    return entity.transcode!(bytes, 0, bytes.length, new TableRows(entity, STAMP), 'updatedAt', { root: false, cursor: null, cursorAt: -1 }) === bytes.length;
  } catch {
    return false; // an inline element the general path refuses: processBatch reports it as the line's failure
  }
}

/** Whether the record is one a count is kept of (the parent or child of QueryPart.countedChildren). */
function counted(entity: Entity, record: JsonObject): boolean {
  return record.__typename === entity.countedChildren?.parent || record.__typename === entity.countedChildren?.child;
}

/** Whether the general path keeps nothing of this record's own row in `_extra` (or it makes no row). */
function generalRowIsWhole(entity: Entity, record: JsonObject): boolean {
  let first: Row | undefined;
  entity.process(structuredClone(record), { row: (_table, row) => void (first ??= row) });
  return first === undefined || first._extra === null;
}

/** A line as Shopify writes it: every slash escaped. */
const shopifyLine = (record: JsonValue): string => JSON.stringify(record).replaceAll('/', '\\/');

const OTHER_TYPE = (v: JsonValue): JsonValue[] => {
  if (v === null) return [{}, 'x', 1];
  if (typeof v === 'string') return [7, null, ['x'], `${v}\u2028"\\`, 'gid://shopify/Other/x'];
  if (typeof v === 'number') return ['x', 1.5, 2 ** 60, -0, null];
  if (typeof v === 'boolean') return ['true', 0, null];
  if (Array.isArray(v)) return [{}, 'x', null, [...v, 'x'], [...v, { odd: true }], [null]];
  return ['x', [], null, { ...v, unknown: 1 }];
};

/** Variants of a record: each key removed, given other values, and (for objects) changed one level down; a list's first object repeated with another value or with its keys reversed; plus an unknown key. */
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
        for (const other of OTHER_TYPE(innerValue)) yield { ...record, [key]: [{ ...first, [inner]: other }, ...value] };
      }
      yield { ...record, [key]: [Object.fromEntries(Object.entries(first).reverse()), ...value.slice(1)] };
      for (const [inner, innerValue] of Object.entries(first)) {
        for (const other of OTHER_TYPE(innerValue)) yield { ...record, [key]: [{ ...first, [inner]: other }, ...value.slice(1)] };
      }
    }
  }
}

describe('the byte path writes what the general path writes', function () {
  this.timeout(120_000);
  // Paged queries' lines go through the same pipeline, byte path and all (src/sync/paged-part.ts).
  const bulk = entities.filter((e) => e.kind !== 'plain').flatMap((e) => e.parts);
  const linesOf: Record<string, JsonObject[]> = {};
  const textOf: Record<string, string[]> = {};
  const sandboxLines: Record<string, number> = {};
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-bytes-'));
    const store = new Store({ seed: 11, shopDomain: 'byte-path.myshopify.com', now: () => new Date('2026-03-01T00:00:00Z'), size: { orders: 150, products: 40, customers: 60 } });
    for (const entity of bulk) {
      const path = join(dir, `${entity.name}.jsonl`);
      // A paged query's lines come from ordinary requests, not a bulk result file: its fixture's only.
      if (entity.kind === 'bulk') await store.writeBulkResult(parse(loadQuery(entity)), path, { ordering: 'interleaved' });
      const sandbox = entity.kind === 'bulk' ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
      const fixture = readFileSync(new URL(`../fixtures/${entity.name}.jsonl`, import.meta.url), 'utf8').split('\n').filter(Boolean);
      sandboxLines[entity.name] = sandbox.length;
      textOf[entity.name] = [...sandbox, ...fixture];
      linesOf[entity.name] = textOf[entity.name]!.map((l) => JSON.parse(l) as JsonObject);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Every bulk or paged entity of the registry, so a new one is covered without touching this file.
  for (const { name } of bulk) {
    it(`${name}: the byte path writes the same bytes as JSON.parse and process(), and takes the lines`, () => {
      const entity = bulk.find((e) => e.name === name)!;
      const lines = textOf[name]!;
      const expected = batchOutput(entity, lines, false);
      expect(expected).to.not.match(/^failed/);
      expect(batchOutput(entity, lines, true)).to.equal(expected);
      // Also as JSON.stringify writes them (no escaped slashes).
      const plain = linesOf[name]!.map((r) => JSON.stringify(r));
      expect(batchOutput(entity, plain, true)).to.equal(batchOutput(entity, plain, false));
      // It takes exactly the lines whose own row keeps nothing in `_extra` and that are not counted
      // (countedChildren: those go to process(), which tallies them): every other sandbox line, and
      // the fixture lines but those carrying fields no column reads.
      expect(entity.transcode).to.not.equal(undefined);
      const takes = (i: number): boolean => !counted(entity, linesOf[name]![i]!) && generalRowIsWhole(entity, linesOf[name]![i]!);
      lines.forEach((l, i) => expect(bytePathTakes(entity, l), l).to.equal(takes(i)));
      expect(lines.slice(0, sandboxLines[name]).every((l, i) => bytePathTakes(entity, l) === !counted(entity, linesOf[name]![i]!))).to.equal(true);
    });

    it(`${name}: the byte path writes the same or steps aside for mutated records and unusual JSON`, () => {
      const entity = bulk.find((e) => e.name === name)!;
      // Per __typename, its first sandbox record (one the byte path takes) and its last fixture record.
      const records = linesOf[name]!;
      const samples = [...new Map(records.toReversed().map((r) => [r.__typename, r])).values(), ...new Map(records.map((r) => [r.__typename, r])).values()];
      let checked = 0;
      let taken = 0;
      const same = (lines: string[]): void => {
        expect(batchOutput(entity, lines, true), lines.join('\n')).to.equal(batchOutput(entity, lines, false));
        checked++;
        if (bytePathTakes(entity, lines[0]!)) taken++;
      };
      for (const sample of samples) {
        for (const variant of mutations(sample)) {
          same([JSON.stringify(variant)]);
          same([shopifyLine(variant)]);
        }
        const line = shopifyLine(sample);
        const text = JSON.stringify(sample);
        // Ways of writing the same record (or a broken one) that only JSON.parse takes.
        same([line.replace(':', ' : ')]);
        same([` ${line}`]);
        same([`${line} `]);
        same([line.replace(/"([A-Za-z])/, '"\\u0041$1')]);
        same([line.replace(/:(\d+)([,}])/, ':$1.0$2')]);
        same([line.replace(/:(\d+)([,}])/, ':$1e0$2')]);
        same([line.replace(/:(\d)/, ':-0')]);
        same([line.replace(/:"/, ':"\\"')]);
        same([line.replace(/:"/, ':"\\n\\t\\\\')]);
        same([line.replace(/:"/, ':"\u00e9\u2028\ud83d\ude00')]);
        same([`{${line.slice(1, -1)},${line.slice(1, -1)}}`]);
        same([`{${Object.entries(sample).reverse().map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`]);
        same([line.slice(0, -1)]);
        same([`${line}x`]);
        same([line.replace(/:"/, ':"\u0001')]);
        same([text.replace(/:\[/, ':[ ')]);
        same([text.replace(/"id":"gid:\/\/shopify\/(\w+)\/(\d+)"/, '"id":"gid://shopify/$1/$2?x=\\/1"')]);
        same([text.replace(/"id":"gid:\/\/shopify\/(\w+)\/(\d+)"/, '"id":"gid://shopify/$1/0$2"')]);
        same([text.replace(/"id":"gid:\/\/shopify\/(\w+)\/(\d+)"/, '"id":"gid://shopify/$1/12345678901234567890"')]);
        same([text.replace(/"id":"gid:\/\/shopify\/(\w+)\/(\d+)"/, '"id":"gid://shopify/$1/"')]);
        same([text.replace(/"amount":"([\d.]+)"/, '"amount":"-$1"')]);
        same([text.replace(/"amount":"([\d.]+)"/, '"amount":"$1."')]);
        same([text.replace(/"amount":"([\d.]+)"/, '"currencyCode":"USD","amount":"$1"').replace(/"amount":"([\d.]+)","currencyCode":"USD","currencyCode":"\w+"/, '"amount":"$1","currencyCode":"USD"')]);
        same([text.replace(/"rate":([\d.]+)/, '"rate":1e400')]);
        same([text.replace(/"rate":([\d.]+)/, '"rate":-0')]);
        same([text.replace(/"rate":([\d.]+)/, '"rate":0.10')]);
        // A float is copied as it is only where JSON.stringify would write the same text: every other form is written from its Number.
        for (const rate of ['0.0000001', '0.000001', '0.00001234', '1e5', '1.5E2', '-0.0', '-12.25', '123456789012345.6', '12345678901234.5', '100', '-0', '0.5', '1234567890123456'])
          same([text.replace(/"rate":([\d.]+)/, `"rate":${rate}`)]);
      }
      // Invalid UTF-8 takes JSON.parse for the whole batch (it reads such bytes as U+FFFD).
      const broken = Buffer.from(shopifyLine(samples[0]!)).toString('latin1').replace(/"([A-Za-z])/, '"\xff$1');
      const run = (bytePath: boolean): string => {
        const result = processBatch(bytePath ? entity : { ...entity, transcode: undefined }, STAMP, Buffer.from(broken, 'latin1'), 1);
        return JSON.stringify(result.ok ? result.segments.map((s) => inflateRawSync(s.segment.bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')) : result);
      };
      expect(run(true)).to.equal(run(false));
      expect(checked).to.be.greaterThan(samples.length * 20);
      // Both ways: many variants are still records the byte path writes (a missing key, a null), many
      // are not; counted records never are.
      if (samples.every((r) => counted(entity, r))) expect(taken).to.equal(0);
      else expect(taken).to.be.within(samples.length, checked - samples.length);
    });
  }
});
