// The quality pass reads a few columns of each row without parsing it (src/sync/quality.ts, field):
// checked against JSON.parse on rows shaped as the writer writes them, with the traps a substring search
// could fall into: a nested record with a key that ends the same way, a string value holding the key's
// text, nulls, numbers, and the key as the row's last.
import { expect } from 'chai';
import { field } from '../../src/sync/quality.ts';

describe('quality: a column of a row without parsing it', () => {
  const rows = [
    { id: '1001', note: 'said "id":"999", then "original_price":"1.00"', tax_lines: [{ title: 'VAT', rate: 0.2, price: '3.00', price_currency: 'EUR' }], original_price: '15.00', order_id: '77', total_tax: null },
    { order_id: '78', kind: 'REFUND', status: 'SUCCESS', amount: '12.34', test: false, rate: 0.075, id: '5' },
    { payout_id: null, net: '-3.10', type: 'CHARGE' },
  ];
  for (const row of rows) {
    const line = JSON.stringify(row);
    it(`reads ${Object.keys(row).join(', ')} as JSON.parse does`, () => {
      for (const [key, value] of Object.entries(row)) {
        // Records, and a string with escapes (the trap for the other keys), are not what field reads.
        if ((typeof value === 'object' && value !== null) || key === 'note') continue;
        expect(field(line, key), key).to.equal(value === null ? null : String(value));
      }
      expect(field(line, 'absent')).to.equal(null);
    });
  }
});
