// The column spec and the general path: what each column constructor reads, and what the reader keeps
// for `_extra`. (That the byte path writes the same bytes is byte-path.test.ts.)
import { expect } from 'chai';
import { isEtlError } from '../../src/errors/index.ts';
import { Fields, gidNumber, numericId } from '../../src/rows/fields.ts';
import { address, id, money, moneyV2, parentId, position, records, ref, snake, str, table } from '../../src/rows/spec.ts';
import type { JsonObject, Row, RowSink } from '../../src/rows/types.ts';

/** A sink that takes every row as an object (the general path). */
function collect(): { rows: Array<[string, Row]>; emit: RowSink } {
  const rows: Array<[string, Row]> = [];
  return { rows, emit: { row: (t, r) => void rows.push([t, r]) } };
}

describe('column spec', () => {
  describe('global ids', () => {
    it('takes the numeric part of a GID as a string of digits, query string or not', () => {
      expect(numericId('gid://shopify/Order/9007199254740993')).to.equal('9007199254740993');
      expect(numericId('gid://shopify/InventoryLevel/123?inventory_item_id=456')).to.equal('123');
      expect(numericId('gid://shopify/MailingAddress/9?model_name=CustomerAddress')).to.equal('9');
      expect(gidNumber('not-a-gid')).to.equal(undefined);
    });

    it('rejects a malformed GID with MALFORMED_JSONL', () => {
      expect(() => numericId('gid://shopify/Order/abc')).to.throw().that.satisfies((e: unknown) => isEtlError(e, 'MALFORMED_JSONL'));
    });
  });

  it('converts camelCase paths to snake_case', () => {
    expect(snake('displayFinancialStatus')).to.equal('display_financial_status');
    expect(snake('primaryDomain.host')).to.equal('primary_domain_host');
    expect(snake('countryCodeV2')).to.equal('country_code_v2');
    expect(snake('address1')).to.equal('address1');
  });

  describe('Fields and _extra', () => {
    it('keeps every key no getter read, nested leftovers under their key and list leftovers by position', () => {
      const f = new Fields({ a: 'x', b: 2, nested: { used: 'y', left: true }, list: [{ k: 1 }, { k: 2, more: 'z' }], untouched: { deep: [1] } });
      f.string('a');
      f.integer('b');
      f.object('nested').string('used');
      for (const e of f.list('list')) e.integer('k');
      expect(f.extra()).to.deep.equal({ nested: { left: true }, list: [null, { more: 'z' }], untouched: { deep: [1] } });
    });

    it('returns null when everything was read', () => {
      const f = new Fields({ a: 'x', n: null, obj: null });
      f.string('a');
      f.string('n');
      f.object('obj');
      expect(f.extra()).to.equal(null);
    });

    it('leaves a value of an unexpected shape in _extra instead of a column', () => {
      const f = new Fields({ when: 'yesterday', amount: 12.5, count: '12', flag: 'yes' });
      expect(f.timestamp('when')).to.equal(null);
      expect(f.decimal('amount')).to.equal(null);
      expect(f.integer('count')).to.equal('12');
      expect(f.boolean('flag')).to.equal(null);
      expect(f.extra()).to.deep.equal({ when: 'yesterday', amount: 12.5, flag: 'yes' });
    });

    it('gives list elements that become rows their own _extra, and the parent id of the record they sit in', () => {
      const order = new Fields({ id: 'gid://shopify/Order/1', transactions: [{ id: 'gid://shopify/OrderTransaction/5', extraField: 1 }] });
      const [t] = order.children('transactions');
      expect(t!.parentGid()).to.equal('gid://shopify/Order/1');
      t!.string('id');
      expect(t!.extra()).to.deep.equal({ extraField: 1 });
      order.string('id');
      expect(order.extra()).to.equal(null);
    });
  });

  describe('columns', () => {
    const read = (columns: Parameters<typeof table>[0]['columns'], record: JsonObject): Row => {
      const { rows, emit } = collect();
      table({ name: 't', description: 'd', columns }).general.emit(new Fields(record), emit);
      return rows[0]![1];
    };

    it('maps ids, parent ids, references, money bags and addresses', () => {
      const row = read([id(), parentId('order_id'), ref('customer.id', 'customer_id'), money('totalPriceSet'), ...address(['city', 'countryCodeV2'], 'billingAddress')], {
        id: 'gid://shopify/LineItem/7',
        customer: { id: 'gid://shopify/Customer/8' },
        totalPriceSet: { shopMoney: { amount: '10.50', currencyCode: 'EUR' } },
        billingAddress: { city: 'Lyon', countryCodeV2: 'FR' },
        __parentId: 'gid://shopify/Order/3',
      });
      expect(row).to.deep.equal({
        id: '7', admin_graphql_api_id: 'gid://shopify/LineItem/7', order_id: '3', customer_id: '8', total_price: '10.50', total_price_currency: 'EUR',
        billing_address_city: 'Lyon', billing_address_country_code: 'FR', _extra: null,
      });
    });

    it('takes money whole only in its exact shape, keeping anything else it holds in _extra', () => {
      const row = read([money('totalPriceSet'), moneyV2('unitCost')], {
        totalPriceSet: { shopMoney: { amount: '1.00', currencyCode: 'EUR' }, presentmentMoney: { amount: '2.00', currencyCode: 'USD' } },
        unitCost: { amount: '3', currencyCode: 'CAD', note: 'x' },
      });
      expect(row).to.deep.equal({
        total_price: '1.00', total_price_currency: 'EUR', unit_cost: '3', unit_cost_currency: 'CAD',
        _extra: { totalPriceSet: { presentmentMoney: { amount: '2.00', currencyCode: 'USD' } }, unitCost: { note: 'x' } },
      });
    });

    it('reads null nested objects as null columns', () => {
      const row = read([ref('customer.id', 'customer_id'), money('totalPriceSet'), ...address(['city'], 'billingAddress')], { customer: null, totalPriceSet: null, billingAddress: null });
      expect(row).to.deep.equal({ customer_id: null, total_price: null, total_price_currency: null, billing_address_city: null, _extra: null });
    });

    it('fails loudly when a required id or parent id is missing', () => {
      expect(() => read([id()], {})).to.throw(/no id/);
      expect(() => read([parentId('order_id')], {})).to.throw(/__parentId/);
    });

    it('makes a REPEATED RECORD column from a list of objects', () => {
      const m = records('trackingInfo', 'tracking_info', [str('number'), str('url')], 'tracking');
      expect(m.columns).to.deep.equal([{ name: 'tracking_info', type: 'RECORD', mode: 'REPEATED', description: 'tracking', fields: [{ name: 'number', type: 'STRING' }, { name: 'url', type: 'STRING' }] }]);
      expect(read([m], { trackingInfo: [{ number: '1Z', url: null, company: 'UPS' }] })).to.deep.equal({ tracking_info: [{ number: '1Z', url: null }], _extra: { trackingInfo: [{ company: 'UPS' }] } });
    });

    it('emits inline child rows after their parent, keeping them out of the parent\'s _extra', () => {
      const child = table({ name: 'child', description: 'd', parent: { column: 'order_id', table: 'parent' }, columns: [id(), parentId('order_id')] });
      const parent = table({ name: 'parent', description: 'd', columns: [id()], inline: [{ key: 'kids', table: child }] });
      const { rows, emit } = collect();
      parent.general.emit(new Fields({ id: 'gid://shopify/Order/1', kids: [{ id: 'gid://shopify/Refund/2' }, { id: 'gid://shopify/Refund/3' }] }), emit);
      expect(rows.map(([t, r]) => [t, r.id, r.order_id ?? null, r._extra])).to.deep.equal([
        ['parent', '1', null, null],
        ['child', '2', '1', null],
        ['child', '3', '1', null],
      ]);
    });

    it('reads an inline list inside a nested object: each element gets the id of the record holding it and its position in the list', () => {
      const child = table({ name: 'child', description: 'd', parent: { column: 'order_id', table: 'parent' }, key: ['order_id', 'position'], columns: [parentId('order_id'), position(), str('level')] });
      const parent = table({ name: 'parent', description: 'd', columns: [id(), str('risk.recommendation', 'risk_recommendation')], inline: [{ key: 'risk.assessments', table: child }] });
      const { rows, emit } = collect();
      parent.general.emit(new Fields({ id: 'gid://shopify/Order/1', risk: { recommendation: 'ACCEPT', assessments: [{ level: 'LOW' }, { level: 'HIGH', odd: 1 }] } }), emit);
      expect(rows).to.deep.equal([
        ['parent', { id: '1', admin_graphql_api_id: 'gid://shopify/Order/1', risk_recommendation: 'ACCEPT', _extra: null }],
        ['child', { order_id: '1', position: 0, level: 'LOW', _extra: null }],
        ['child', { order_id: '1', position: 1, level: 'HIGH', _extra: { odd: 1 } }],
      ]);
      const none = collect();
      parent.general.emit(new Fields({ id: 'gid://shopify/Order/2', risk: null }), none.emit);
      expect(none.rows.map(([t]) => t)).to.deep.equal(['parent']);
    });

    it('fails a position column read outside an inline list', () => {
      const alone = table({ name: 'alone', description: 'd', key: ['position'], columns: [position()] });
      expect(() => alone.general.line({ __typename: 'X' }, collect().emit)).to.throw().that.satisfies((e: unknown) => isEtlError(e, 'MALFORMED_JSONL'));
    });
  });
});
