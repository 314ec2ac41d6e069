import { expect } from 'chai';
import { bigQuerySchema } from '../../src/rows/schema.ts';
import { validateRow } from '../support/bigquery-rows.ts';
import type { TableDef } from '../../src/rows/types.ts';

const TABLE: TableDef = {
  name: 't',
  description: 'd',
  columns: [
    { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
    { name: 'price', type: 'NUMERIC' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'ok', type: 'BOOLEAN' },
    { name: 'rate', type: 'FLOAT' },
    { name: 'lines', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'n', type: 'INTEGER' }] },
  ],
};
const META = { _extra: null, _shop: 'a.myshopify.com', _run_id: 'r1', _extracted_at: '2026-01-01T00:00:00.000Z' };
const good = { id: '9007199254740993', price: '12.50', at: '2026-01-01T00:00:00Z', tags: ['a'], ok: true, rate: 0.05, lines: [{ n: 1 }], ...META };

describe('BigQuery schema', () => {
  it('appends _extra, _shop, _run_id and _extracted_at with their modes', () => {
    const schema = bigQuerySchema(TABLE);
    expect(schema.slice(-4).map((f) => [f.name, f.type, f.mode])).to.deep.equal([
      ['_extra', 'JSON', 'NULLABLE'],
      ['_shop', 'STRING', 'REQUIRED'],
      ['_run_id', 'STRING', 'REQUIRED'],
      ['_extracted_at', 'TIMESTAMP', 'REQUIRED'],
    ]);
    expect(schema[0]).to.deep.equal({ name: 'id', type: 'INTEGER', mode: 'REQUIRED' });
    expect(schema.find((f) => f.name === 'lines')?.fields).to.deep.equal([{ name: 'n', type: 'INTEGER', mode: 'NULLABLE' }]);
  });

  it('accepts a row that loads, with safe integers or digit strings for INTEGER', () => {
    expect(validateRow(TABLE, good)).to.deep.equal([]);
    expect(validateRow(TABLE, { ...good, id: 42, price: null, at: '2026-01-01T00:00:00.123+02:00', tags: [] })).to.deep.equal([]);
  });

  it('reports type, mode and unknown-column problems by column', () => {
    const errors = validateRow(TABLE, {
      ...good,
      id: null,
      price: 12.5,
      at: '2026-01-01',
      tags: null,
      ok: 'true',
      rate: Number.NaN,
      lines: [{ n: 'x', z: 1 }],
      surprise: 1,
      _shop: null,
    });
    expect(errors).to.have.members([
      'surprise: unknown column',
      'id: REQUIRED, got null',
      'price: NUMERIC expects a decimal string, got 12.5',
      'at: TIMESTAMP expects an ISO-8601 timestamp with a zone, got "2026-01-01"',
      'tags: REPEATED STRING must be an array, got null',
      'ok: BOOLEAN expects a boolean, got "true"',
      'rate: FLOAT expects a finite number, got null',
      'lines[0].z: unknown column',
      'lines[0].n: INTEGER expects a 64-bit integer (number or string of digits), got "x"',
      '_shop: REQUIRED, got null',
    ]);
  });

  it('rejects integers beyond 64 bits and unsafe JavaScript numbers', () => {
    expect(validateRow(TABLE, { ...good, id: '9223372036854775808' })).to.have.length(1);
    expect(validateRow(TABLE, { ...good, id: 2 ** 60 })).to.have.length(1);
  });
});
