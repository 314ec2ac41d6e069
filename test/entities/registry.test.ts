// The contract every registry entry meets: its query is valid for Shopify's real 2026-10 schema and for
// the bulk rules, it handles every node type its query can produce, and its processor turns the
// entity's hand-written fixture (Shopify's JSONL style, children out of order) into the expected rows,
// each of which would load into its BigQuery table.
import { expect } from 'chai';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import {
  Kind,
  TypeInfo,
  getNamedType,
  isAbstractType,
  parse,
  print,
  validate,
  visit,
  visitWithTypeInfo,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { entities } from '../../src/entities/index.ts';
import { numericId } from '../../src/rows/fields.ts';
import { loadQuery, windowFilter, withSearchFilter } from '../../src/entities/queries.ts';
import { bigQuerySchema } from '../../src/rows/schema.ts';
import { validateRow } from '../support/bigquery-rows.ts';
import type { QueryPart } from '../../src/entities/types.ts';
import type { JsonObject, Row } from '../../src/rows/types.ts';
import { processJsonl, processPlain, type ProcessResult } from '../../src/pipeline/process.ts';
import { WorkerPool } from '../../src/pipeline/worker-pool.ts';
import { memorySegments } from '../pipeline/segments.ts';
import { bulkQueryErrors, MAX_QUERY_COST, requestedCost } from 'shopify-sandbox';
import { adminSchema } from '../support/admin-schema.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const META = { shop: 'maple-goods.myshopify.com', runId: 'run-1', extractedAt: new Date('2026-03-05T00:00:00Z'), currency: 'CAD' };
const META_KEYS = ['_shop', '_run_id', '_extracted_at'];

/** Object type names the query's connections can put on a JSONL line (interfaces and unions expanded). */
function nodeTypenames(schema: GraphQLSchema, query: string): Set<string> {
  const info = new TypeInfo(schema);
  const names = new Set<string>();
  visit(parse(query), visitWithTypeInfo(info, {
    Field(node) {
      const parent = info.getParentType();
      const type = info.getType();
      if (node.name.value !== 'node' || !parent?.name.endsWith('Edge') || !type) return;
      const named = getNamedType(type);
      for (const t of isAbstractType(named) ? schema.getPossibleTypes(named) : [named]) names.add(t.name);
    },
  }));
  return names;
}

/** The selections under `edges { node { … } }` of every connection field, by field name. */
function connectionNodes(query: string): Array<{ field: string; node: SelectionSetNode }> {
  const found: Array<{ field: string; node: SelectionSetNode }> = [];
  visit(parse(query), {
    Field(field) {
      const edges = field.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'edges');
      const node = edges?.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node');
      if (node?.selectionSet) found.push({ field: field.name.value, node: node.selectionSet });
    },
  });
  return found;
}

/** The field at `path` (field names from the operation's root), if the query selects it. */
function fieldAt(query: string, path: readonly string[]): FieldNode | undefined {
  let set: SelectionSetNode | undefined = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.selectionSet;
  let field: FieldNode | undefined;
  for (const name of path) {
    field = set?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name);
    set = field?.selectionSet;
  }
  return field;
}

const selectsUnaliased = (set: SelectionSetNode, name: string): boolean =>
  set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name && !s.alias);

async function runFixture(entity: QueryPart): Promise<{ rows: Record<string, Row[]>; result: ProcessResult; records: JsonObject[] }> {
  const sink = memorySegments();
  if (entity.kind === 'plain') {
    const body = JSON.parse(readFileSync(new URL(`${entity.name}.json`, FIXTURES), 'utf8')) as { data: JsonObject };
    return { rows: sink.tables, result: await processPlain(entity, body.data, sink, META, 1), records: [body.data] };
  }
  const file = new URL(`${entity.name}.jsonl`, FIXTURES);
  const records = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonObject);
  const pool = new WorkerPool(1);
  try {
    return { rows: sink.tables, result: await processJsonl(entity, createReadStream(file), sink, META, { pool, gzipLevel: 1 }), records };
  } finally {
    await pool.close();
  }
}

describe('entity registry contract', () => {
  let schema: GraphQLSchema;
  before(() => {
    schema = adminSchema('2026-10');
  });

  it('registers every entity that has a query, a module or a fixture, and each has all three', () => {
    // The recipe's parts, found from the folders: a part added without its registry line (or a
    // registered entity missing a part) fails here rather than being silently never extracted.
    // An entity of several queries (Entity.parts) has a query file and a fixture for each.
    const names = (dir: URL, keep: (file: string) => boolean): string[] =>
      [...new Set(readdirSync(dir).filter(keep).map((f) => f.slice(0, f.indexOf('.'))))].sort();
    const registered = entities.map((e) => e.name).sort();
    const queries = entities.flatMap((e) => e.parts.map((p) => p.name)).sort();
    const modules = names(new URL('../../src/entities/', import.meta.url), (f) => f.endsWith('.ts') && readFileSync(new URL(`../../src/entities/${f}`, import.meta.url), 'utf8').includes('= defineEntity('));
    expect(names(new URL('../../queries/', import.meta.url), (f) => f.endsWith('.graphql')), 'queries/*.graphql').to.deep.equal(queries);
    expect(modules, 'src/entities/<name>.ts declaring it with defineEntity').to.deep.equal(registered);
    expect(names(FIXTURES, (f) => f.endsWith('.jsonl') || f.endsWith('.json')), 'test/fixtures/<name>.*').to.deep.equal(queries);
  });

  it('gives every query of an entity the same root and kind, and its own tables (a snapshot\'s may share them, and page through a connection under an object)', () => {
    for (const e of entities) {
      expect(e.parts[0]!.name, e.name).to.equal(e.name);
      for (const p of e.parts) {
        const pagedUnderObject = e.kind === 'bulk' && !e.incremental && p.kind === 'paged' && p.paging!.length > 1;
        expect([pagedUnderObject ? 'bulk' : p.kind, p.incremental], p.name).to.deep.equal([e.kind, e.incremental]);
      }
      // A paged query of an incremental entity reads the window's root connection.
      if (e.kind === 'paged' && e.incremental) expect(e.paging, e.name).to.deep.equal([e.incremental.rootField]);
      const written = e.parts.flatMap((p) => p.tables.map((t) => t.name));
      expect([...new Set(written)], e.name).to.deep.equal(e.tables.map((t) => t.name));
      if (e.incremental) expect(written, e.name).to.deep.equal(e.tables.map((t) => t.name));
    }
  });

  it('has unique entity names and unique table names', () => {
    const names = entities.map((e) => e.name);
    const tables = entities.flatMap((e) => e.tables.map((t) => t.name));
    expect(new Set(names).size).to.equal(names.length);
    expect(new Set(tables).size).to.equal(tables.length);
  });

  for (const entity of entities.flatMap((e) => e.parts)) {
    describe(entity.name, () => {
      const query = loadQuery(entity);

      it('has a query that validates against the 2026-10 Admin schema', () => {
        expect(validate(schema, parse(query)).map((e) => e.message)).to.deep.equal([]);
      });

      it('is a plain query exactly when it reads no connection, a bulk query obeys the bulk rules, a paged one Shopify\'s cost limit', () => {
        expect(entity.kind === 'plain').to.equal(connectionNodes(query).length === 0);
        if (entity.kind === 'bulk') expect(bulkQueryErrors(schema, query)).to.deep.equal([]);
        if (entity.kind === 'paged') {
          // Its connection, at the declared path, with where the next page starts; the reader sets the cursors (src/sync/paged-part.ts).
          const at = fieldAt(query, entity.paging!);
          expect(at, entity.paging!.join('.')).to.not.equal(undefined);
          expect(connectionNodes(query).map((c) => c.field), 'the first connection').to.include(entity.paging!.at(-1));
          expect(print(at!)).to.include('pageInfo {\n    hasNextPage\n    endCursor\n  }');
          const [operation] = parse(query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
          expect(requestedCost(schema, operation!, new Map(), {})).to.be.at.most(MAX_QUERY_COST);
        }
      });

      it('selects __typename on every connection node, and handles every type those nodes can be', () => {
        for (const { field, node } of connectionNodes(query)) expect(selectsUnaliased(node, '__typename'), field).to.equal(true);
        expect(entity.typenames).to.include.members([...nodeTypenames(schema, query)]);
      });

      if (entity.incremental) {
        const { rootField, cursorField } = entity.incremental;
        it(`selects ${cursorField} on the root ${rootField} nodes and still validates with a window filter`, () => {
          const root = connectionNodes(query).find((c) => c.field === rootField);
          expect(root, `root connection ${rootField}`).to.not.equal(undefined);
          expect(selectsUnaliased(root!.node, cursorField)).to.equal(true);
          const filtered = withSearchFilter(query, rootField, windowFilter(new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'), undefined, entity.incremental!.searchField));
          if (entity.kind === 'bulk') expect(bulkQueryErrors(schema, filtered)).to.deep.equal([]);
          else expect(validate(schema, parse(filtered)).map((e) => e.message)).to.deep.equal([]);
        });

        it(`is counted exactly when Shopify offers ${rootField}Count, and sorted by id exactly when ${rootField} takes sortKey`, () => {
          const root = schema.getQueryType()!.getFields();
          // A count that takes a search filter checks each window; one that takes none (pagesCount) only the whole root.
          const count = root[`${rootField}Count`];
          expect(entity.incremental!.counted).to.equal(count !== undefined && count.args.some((a) => a.name === 'query'));
          expect(entity.incremental!.countedWhole).to.equal(count !== undefined);
          expect(entity.incremental!.sortsById).to.equal(root[rootField]!.args.some((a) => a.name === 'sortKey'));
        });
      }

      it('declares tables with snake_case columns, known parents, and _extra plus the meta columns', () => {
        const allTables = new Set(entities.flatMap((e) => e.tables.map((t) => t.name)));
        for (const table of entity.tables) {
          const columns = bigQuerySchema(table).map((c) => c.name);
          expect(new Set(columns).size, table.name).to.equal(columns.length);
          for (const c of columns) expect(c, table.name).to.match(/^_?[a-z][a-z0-9_]*$/);
          expect(columns.slice(-4)).to.deep.equal(['_extra', '_shop', '_run_id', '_extracted_at']);
          if (table.parent) {
            expect(allTables.has(table.parent.table), table.name).to.equal(true);
            expect(columns).to.include(table.parent.column);
          }
        }
      });

      it('gives every table a key (TableDef.key) of its own columns, unique among its fixture rows', async () => {
        const { rows } = await runFixture(entity);
        for (const table of entity.tables) {
          expect(table.key, `${table.name} has no key: declare one in its table() spec (README, Contributing: adding an entity)`).to.be.an('array').that.is.not.empty;
          const columns = table.columns.map((c) => c.name);
          for (const k of table.key!) expect(columns, `${table.name}'s key column ${k}`).to.include(k);
          const keys = (rows[table.name] ?? []).map((r) => JSON.stringify(table.key!.map((k) => r[k])));
          expect(keys, `${table.name}: fixture rows`).to.not.be.empty;
          expect(new Set(keys).size, `${table.name}: (${table.key!.join(', ')}) is unique`).to.equal(keys.length);
        }
      });

      it('follows the money rule: every NUMERIC (money) column has its currency next to it', () => {
        for (const table of entity.tables) {
          const columns = new Set(table.columns.map((c) => c.name));
          for (const c of table.columns.filter((c) => c.type === 'NUMERIC')) {
            // `x` pairs with `x_currency`; `value_amount` (a discount's MoneyV2) may pair with `value_currency`.
            const currencies = [`${c.name}_currency`, `${c.name.replace(/_amount$/, '')}_currency`];
            expect(currencies.some((name) => columns.has(name)), `${table.name}.${currencies[0]}`).to.equal(true);
          }
        }
      });

      it('turns its fixture into the expected rows, each valid for its table, every child pointing at a parent', async () => {
        const { rows, result, records } = await runFixture(entity);
        const expected = JSON.parse(readFileSync(new URL(`${entity.name}.expected.json`, FIXTURES), 'utf8')) as Record<string, Row[]>;

        for (const table of entity.tables) {
          for (const row of rows[table.name] ?? []) expect(validateRow(table, row), `${table.name} ${JSON.stringify(row)}`).to.deep.equal([]);
        }
        const stripped = Object.fromEntries(entity.tables.map((t) => [t.name, (rows[t.name] ?? []).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !META_KEYS.includes(k))))]));
        expect(stripped).to.deep.equal(expected);
        expect(Object.values(result.rowsByTable).reduce((a, b) => a + b, 0)).to.equal(Object.values(rows).flat().length);
        // The fixtures carry fields no column maps, to show they are kept.
        expect(Object.values(rows).flat().some((r) => r._extra !== null), 'some row keeps unmapped fields in _extra').to.equal(true);

        const rootIds = new Set(records.filter((r) => r.__parentId === undefined && typeof r.id === 'string').map((r) => numericId(r.id as string)));
        // A paged query's table whose parent another entity writes (order_sales → order_agreements) points at a line of the fixture that carries it.
        const lineIds = new Set(records.filter((r) => typeof r.id === 'string').map((r) => numericId(r.id as string)));
        for (const table of entity.tables) {
          if (!table.parent) continue;
          const { column, table: parentTable } = table.parent;
          const own = entity.tables.some((t) => t.name === parentTable);
          const parents = own ? new Set((rows[parentTable] ?? []).map((r) => r.id)) : entity.kind === 'paged' ? lineIds : rootIds;
          for (const row of rows[table.name] ?? []) expect(parents.has(row[column]), `${table.name}.${column} = ${String(row[column])}`).to.equal(true);
        }
      });

      if (entity.kind === 'bulk' && entity.tables.some((t) => t.parent)) {
        it('has a fixture in Shopify\'s JSONL style with a child line before its parent', () => {
          const text = readFileSync(new URL(`${entity.name}.jsonl`, FIXTURES), 'utf8');
          expect(text).to.include('gid:\\/\\/shopify\\/');
          const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonObject);
          const firstChild = lines.findIndex((l) => typeof l.__parentId === 'string');
          expect(firstChild).to.be.greaterThan(-1);
          expect(lines.findIndex((l) => l.id === lines[firstChild]!.__parentId)).to.be.greaterThan(firstChild);
          for (const l of lines) if (l.__parentId !== undefined) expect(Object.keys(l).at(-1)).to.equal('__parentId');
        });
      }
    });
  }
});
