import { expect } from 'chai';
import { splitIds } from '../../src/sync/id-split.ts';

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
});
