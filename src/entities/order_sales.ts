// Order sales (queries/order_sales.graphql): each sales agreement's sales, the line-level ledger net
// sales are computed from. Paged, not bulk: sales lie three connections deep (orders → agreements →
// sales), past the two a bulk query nests; so they cost ordinary requests, paced by the shop's rate limit
// (some 50 points an order, README: "The sales ledger is paged"). It runs by default all the same:
// net sales are computed from it. Its windows are the orders' (updated_at).
import { id, int, money, parentId, ref, str, table } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const sales = table({
  name: 'order_sales',
  description: 'One row per sale of a sales agreement (SalesAgreement.sales): what the agreement sold or returned, line by line. sale_type is ProductSale, ShippingLineSale, AdjustmentSale, …; action_type ORDER, RETURN or UPDATE; amounts are signed (a return is negative), in the shop currency, total_amount after discounts and with taxes. An order\'s sales, over all its agreements (agreement_id → order_agreements.order_id), add up to its total less its refunds. The orders entity writes order_agreements; this one the sales.',
  parent: { column: 'agreement_id', table: 'order_agreements' },
  columns: [
    id(), parentId('agreement_id'), str('__typename', 'sale_type'), str('actionType'), str('lineType'), int('quantity'),
    money('totalAmount'), money('totalTaxAmount'), money('totalDiscountAmountBeforeTaxes'), ref('lineItem.id', 'line_item_id'), ref('shippingLine.id', 'shipping_line_id'),
  ],
});

const SALE_TYPES = ['AdditionalFeeSale', 'AdjustmentSale', 'DutySale', 'FeeSale', 'GiftCardSale', 'ProductSale', 'ShippingLineSale', 'TipSale', 'UnknownSale'];
const AGREEMENT_TYPES = ['OrderAgreement', 'OrderEditAgreement', 'RefundAgreement', 'ReturnAgreement'];

export const orderSalesEntity = defineEntity({
  name: 'order_sales',
  root: 'orders',
  sync: 'incremental',
  paged: true,
  scopes: ['read_orders'],
  tables: [sales],
  // Orders and agreements come through only as the parents of the sales: their rows are the orders entity's.
  routes: Object.fromEntries([['Order', null], ...AGREEMENT_TYPES.map((t) => [t, null]), ...SALE_TYPES.map((t) => [t, sales])]),
});
