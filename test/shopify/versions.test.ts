import { expect } from 'chai';
import { bulkConcurrencyLimit, DEFAULT_API_VERSION, groupObjectsArgument, hasBulkOperationQuery, isApiVersion } from '../../src/shopify/versions.ts';

describe('API versions', () => {
  it('accepts quarterly versions and unstable only', () => {
    for (const v of ['2025-01', '2025-04', '2025-07', '2025-10', '2026-10', 'unstable', DEFAULT_API_VERSION]) expect(isApiVersion(v), v).to.equal(true);
    for (const v of ['2026-02', '2026-1', '26-01', 'latest', '', '2026-01 ']) expect(isApiVersion(v), v).to.equal(false);
  });

  it('defaults to 2026-10', () => {
    expect(DEFAULT_API_VERSION).to.equal('2026-10');
  });

  it('allows five concurrent bulk queries from 2026-01, one before', () => {
    expect(bulkConcurrencyLimit('2025-10')).to.equal(1);
    expect(bulkConcurrencyLimit('2026-01')).to.equal(5);
    expect(bulkConcurrencyLimit('unstable')).to.equal(5);
  });

  it('has bulkOperation(id:) from 2026-01', () => {
    expect(hasBulkOperationQuery('2025-10')).to.equal(false);
    expect(hasBulkOperationQuery('2026-01')).to.equal(true);
    expect(hasBulkOperationQuery('unstable')).to.equal(true);
  });

  it('knows groupObjects: absent before 2025-07, default true until 2026-01, false after', () => {
    expect(groupObjectsArgument('2025-04')).to.equal(null);
    expect(groupObjectsArgument('2025-07')).to.deep.equal({ defaultValue: true });
    expect(groupObjectsArgument('2025-10')).to.deep.equal({ defaultValue: true });
    expect(groupObjectsArgument('2026-01')).to.deep.equal({ defaultValue: false });
  });
});
