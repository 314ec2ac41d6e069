// The models' SQL in its two dialects, from one definition each: the committed BigQuery files are what
// the definitions generate; every BigQuery view parses as BigQuery SQL and reads only the current-state
// views that `views --dialect bigquery` creates; and the two dialects' texts are the same query, told
// apart only by how names are quoted and how each spells the dialect's functions. That the DuckDB text
// computes the right figures is test/e2e/models.test.ts's part.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import NodeSqlParser from 'node-sql-parser';
import { modelDialect, type ModelDialect } from '../../src/models/dialect.ts';
import { DEFAULT_MODEL_PARAMS, models } from '../../src/models/definitions.ts';
import { BIGQUERY_FOLDER, bigQueryModelFiles, modelStatement } from '../../src/models/index.ts';
import { viewStatements } from '../../src/views/sql.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A dialect whose every function call is marked ⟦function:text⟧, so a text can be read back with the calls named. */
function traced(d: ModelDialect): ModelDialect {
  const mark = <A extends string[]>(name: string, f: (...args: A) => string) => (...args: A): string => `⟦${name}:${f(...args)}⟧`;
  return {
    ...d,
    localDate: mark('localDate', d.localDate), monthStart: mark('monthStart', d.monthStart), monthsBetween: mark('monthsBetween', d.monthsBetween),
    secondsBetween: mark('secondsBetween', d.secondsBetween), cents: mark('cents', d.cents), centsPer: mark('centsPer', d.centsPer), ratio: mark('ratio', d.ratio), div: mark('div', d.div),
  };
}

/** The text with each marked call reduced to its function's name (innermost first), and names unquoted. */
function skeleton(text: string): string {
  let out = text;
  for (let before = ''; before !== out;) {
    before = out;
    out = out.replace(/⟦(\w+):[^⟦⟧]*⟧/g, '«$1»');
  }
  return out.replace(/`analytics\.(\w+)`/g, '$1').replace(/"(\w+)"/g, '$1');
}

describe('models SQL', () => {
  it('commits, under models/bigquery, exactly the BigQuery views the definitions generate (node scripts/models-sql.ts writes them)', () => {
    const generated = bigQueryModelFiles(DEFAULT_MODEL_PARAMS);
    const folder = join(ROOT, BIGQUERY_FOLDER);
    expect(readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()).to.deep.equal([...generated.keys()].sort());
    for (const [name, text] of generated) expect(readFileSync(join(folder, name), 'utf8'), `${name}: run node scripts/models-sql.ts`).to.equal(text);
  });

  it('parses as BigQuery SQL, every model, reading only the current-state views in its dataset', () => {
    const parser = new NodeSqlParser.Parser();
    const created = new Set(viewStatements('bigquery', { dest: 'gs://bucket/shopify', dataset: 'analytics' }).map((s) => /^CREATE OR REPLACE (?:EXTERNAL TABLE|VIEW) `analytics\.(\w+)`/.exec(s)![1]!));
    for (const [name, text] of bigQueryModelFiles(DEFAULT_MODEL_PARAMS)) {
      const statement = text.split('\n').filter((l) => !l.startsWith('--')).join('\n');
      expect(() => parser.astify(statement, { database: 'BigQuery' }), name).to.not.throw();
      const read = [...statement.matchAll(/`analytics\.(\w+)`/g)].map((m) => m[1]!).slice(1);
      expect(read.length, name).to.be.greaterThan(0);
      for (const r of read) expect(created, `${name} reads ${r}`).to.include(r);
    }
  });

  it('writes the same query in both dialects: the texts differ only in quoting and in how each spells its functions', () => {
    for (const model of models) {
      const [duck, bq] = (['duckdb', 'bigquery'] as const).map((dialect) => modelStatement(traced(modelDialect(dialect)), model, DEFAULT_MODEL_PARAMS));
      expect(skeleton(bq!), model.name).to.equal(skeleton(duck!));
      expect(skeleton(duck!), model.name).to.not.match(/[`"]/);
    }
  });

  it('puts the segments\' thresholds and the pairs kept where the flags say', () => {
    const params = { ...DEFAULT_MODEL_PARAMS, vipSpent: 2500, regularOrders: 4, topPairs: 7 };
    const sql = (name: string): string => models.find((m) => m.name === name)!.sql(modelDialect('duckdb'), params);
    expect(sql('customer_lifetime_value')).to.include('spent >= 2500 AND orders >= 10').and.include('orders >= 4 THEN \'Regular\'');
    expect(sql('product_pairs')).to.include('pair_rank <= 7');
  });
});
