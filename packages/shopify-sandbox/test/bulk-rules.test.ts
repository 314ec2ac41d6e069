// bulkQueryErrors against Shopify's real 2026-10 schema: every recorded validation answer, our own
// queries/, and the rules the recordings do not cover.
import { expect } from 'chai';
import { adminSchema } from './support/admin-schema.ts';
import { bulkQueryErrors, BULK_MESSAGES } from '../src/bulk-rules.ts';
import { capture, interaction } from './support/captures.ts';
import { queryFile, queryNames } from './support/queries.ts';

const schema = adminSchema('2026-10');

function recordedUserErrors(version: string, name: string, ...path: string[]): unknown {
  const data = interaction(version, name, ...path).response.data as Record<string, { userErrors: unknown }>;
  return Object.values(data)[0]?.userErrors;
}

describe('bulkQueryErrors (Shopify bulk query rules)', () => {
  const validators = capture('2026-04', 'bulk-operation-run-query-validators').validations as Record<string, unknown>;
  for (const name of Object.keys(validators)) {
    it(`matches Shopify's recorded answer: ${name}`, () => {
      const { variables } = interaction('2026-04', 'bulk-operation-run-query-validators', 'validations', name);
      expect(bulkQueryErrors(schema, String(variables?.query))).to.deep.equal(recordedUserErrors('2026-04', 'bulk-operation-run-query-validators', 'validations', name));
    });
  }

  for (const name of ['noConnectionWithCode', 'emptyQuery']) {
    it(`matches Shopify's recorded answer: ${name}`, () => {
      const { variables } = interaction('2026-04', 'bulk-operation-run-query-user-error-codes', 'validations', name);
      expect(bulkQueryErrors(schema, String(variables?.query))).to.deep.equal(recordedUserErrors('2026-04', 'bulk-operation-run-query-user-error-codes', 'validations', name));
    });
  }

  it('rejects a 65,536-byte query with the recorded size message and accepts 65,535 bytes', () => {
    const { variables } = interaction('2026-04', 'bulk-operation-storage-byte-limit', 'cases', 'query');
    const query = String(variables?.query);
    expect(Buffer.byteLength(query)).to.equal(65536);
    expect(bulkQueryErrors(schema, query)).to.deep.equal(recordedUserErrors('2026-04', 'bulk-operation-storage-byte-limit', 'cases', 'query'));
    expect(bulkQueryErrors(schema, query.slice(0, 1) + query.slice(2))).to.deep.equal([]);
  });

  it('accepts every bulk query in queries/, rejects the plain shop query, and the paged order_sales and refund_detail for their depth (why they are paged)', () => {
    for (const name of queryNames()) {
      const errors = bulkQueryErrors(schema, queryFile(name));
      if (name === 'shop') expect(errors.map((e) => e.message), name).to.deep.equal([BULK_MESSAGES.noConnection]);
      else if (name === 'order_sales') expect(errors.map((e) => e.message), name).to.deep.equal([BULK_MESSAGES.tooDeep]);
      else if (name === 'refund_detail') expect(errors.map((e) => e.message), name).to.include(BULK_MESSAGES.tooDeep);
      else expect(errors, name).to.deep.equal([]);
    }
  });

  it('accepts lists inside nodes (draftOrders > warnings, recorded as accepted) and two connection levels', () => {
    expect(bulkQueryErrors(schema, '{ draftOrders { edges { node { id warnings { message } } } } }')).to.deep.equal([]);
    expect(bulkQueryErrors(schema, '{ products { edges { node { id variants { edges { node { id } } } } } } }')).to.deep.equal([]);
  });

  it('counts connections reached through fragments and plain objects', () => {
    const query = `fragment V on Product { variants { edges { node { id metafields { edges { node { id } } } } } } }
      { products { edges { node { id ...V } } } }`;
    expect(bulkQueryErrors(schema, query).map((e) => e.message)).to.deep.equal([BULK_MESSAGES.tooDeep]);
  });

  it('names every parent without id and every connection selected through nodes', () => {
    const query = '{ orders { nodes { id } } products { edges { node { title variants { edges { node { id } } } } } } customers { nodes { id } } }';
    expect(bulkQueryErrors(schema, query).map((e) => e.message)).to.deep.equal([
      BULK_MESSAGES.nodesNotEdges(['orders', 'customers']),
      BULK_MESSAGES.parentId(['products']),
    ]);
  });

  it('does not accept an aliased id as the parent id', () => {
    const query = '{ products { edges { node { key: id variants { edges { node { id } } } } } } }';
    expect(bulkQueryErrors(schema, query).map((e) => e.message)).to.deep.equal([BULK_MESSAGES.parentId(['products'])]);
  });

  it('reports a query that does not validate against the schema as INVALID on ["query"], in Shopify\'s wording', () => {
    expect(bulkQueryErrors(schema, '{ products { edges { node { id nope } } } }')).to.deep.equal([
      { field: ['query'], message: "Invalid bulk query: Field 'nope' doesn't exist on type 'Product'", code: 'INVALID' },
    ]);
  });

  it('reports a syntax error other than end of file with the unexpected token', () => {
    expect(bulkQueryErrors(schema, '{ products ) }')).to.deep.equal([{ field: ['query'], message: 'Invalid bulk query: syntax error, unexpected RPAREN (")")', code: 'INVALID' }]);
  });
});
