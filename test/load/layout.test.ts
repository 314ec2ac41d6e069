// Run ids: the snapshot views take a table's latest run as the greatest run id (src/views/sql.ts), so
// ids must sort by the runs' starts even for two runs of one shop started within the same second.
import { expect } from 'chai';
import { newRunId, runDateOf } from '../../src/load/layout.ts';

describe('run ids', () => {
  it('sort by start, whatever their random part, for two runs started within one second', () => {
    const first = newRunId(new Date('2026-11-21T02:03:04.120Z'), 'ffffff');
    const second = newRunId(new Date('2026-11-21T02:03:04.870Z'), '000000');
    expect([second, first].sort()).to.deep.equal([first, second]);
    expect(first < newRunId(new Date('2026-11-21T02:03:05.000Z'), '000000')).to.equal(true);
  });

  it('stay readable and give the run\'s UTC date', () => {
    const id = newRunId(new Date('2026-11-21T02:03:04.005Z'), 'a1b2c3');
    expect(id).to.equal('20261121T020304.005Z-a1b2c3');
    expect(runDateOf(id)).to.equal('2026-11-21');
  });
});
