import { expect } from 'chai';
import { parse, validate } from 'graphql';
import { entities } from '../../src/entities/index.ts';
import { lookUpIdBounds, splitIds } from '../../src/sync/id-split.ts';
import { adminSchema } from '../support/admin-schema.ts';

describe('splitting a window by id', () => {
  it('halves between the lowest and highest id it matches, keeping the window\'s own bounds at the ends', () => {
    expect(splitIds({ after: null, through: null }, { lowest: 100n, highest: 200n })).to.deep.equal([
      { after: null, through: '150' },
      { after: '150', through: null },
    ]);
    expect(splitIds({ after: '150', through: null }, { lowest: 151n, highest: 152n })).to.deep.equal([
      { after: '150', through: '151' },
      { after: '151', through: null },
    ]);
  });

  it('keeps ids past 2^53 exact', () => {
    const [low, high] = splitIds({ after: null, through: null }, { lowest: 9_007_199_254_740_993n, highest: 9_007_199_254_740_999n })!;
    expect(low.through).to.equal('9007199254740996');
    expect(high.after).to.equal('9007199254740996');
  });

  it('cannot split one record, or none', () => {
    expect(splitIds({ after: null, through: null }, { lowest: 7n, highest: 7n })).to.equal(null);
    expect(splitIds({ after: null, through: null }, null)).to.equal(null);
  });

  it('looks the ids up with a query Shopify\'s Admin schema accepts for every incremental root, the window\'s filter as its variable', async () => {
    const schema = adminSchema('2026-10');
    const incremental = entities.filter((e) => e.incremental);
    expect(incremental.length).to.be.at.least(4);
    for (const entity of incremental) {
      const sent: Array<{ document: string; variables: Record<string, unknown> }> = [];
      // Shopify's answer for a window with records at both ends (the e2e test asks the sandbox itself).
      const client = {
        request: async <T>(document: string, variables: Record<string, unknown> = {}): Promise<T> => {
          sent.push({ document, variables });
          return { lowest: { nodes: [{ id: 'gid://shopify/X/100' }] }, highest: { nodes: [{ id: 'gid://shopify/X/250' }] } } as T;
        },
      };
      const bounds = await lookUpIdBounds(client, entity, { since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T01:00:00.000Z', id_after: '99', id_through: null });
      expect(bounds).to.deep.equal({ lowest: 100n, highest: 250n });
      expect(validate(schema, parse(sent[0]!.document)).map((e) => e.message), entity.name).to.deep.equal([]);
      const field = entity.incremental!.searchField;
      expect(sent[0]!.variables).to.deep.equal({ query: `${field}:>='2026-01-01T00:00:00Z' AND ${field}:<'2026-01-01T01:00:00Z' AND id:>99` });
    }
  });
});
