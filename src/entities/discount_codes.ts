// Every redeem code of every code discount (codeDiscountNodes → codeDiscount → codes), with its usage
// count. A snapshot: a code's usage count grows with every order that uses it, which moves no
// updatedAt. A discount can hold thousands of codes: each DiscountCodeNode line carries Shopify's
// codesCount, and a discount whose code lines fall short of it fails the window (CHILDREN_INCOMPLETE)
// rather than commit a truncated list.
import { id, int, parentId, ref, str, table } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const codes = table({
  name: 'discount_codes',
  description: 'One row per redeem code of a code discount: the code, how many times it was used (Shopify\'s asyncUsageCount, updated shortly after each use), the app that created it if one did, and its discount (discount_id: a row of discounts).',
  parent: { column: 'discount_id', table: 'discounts' },
  columns: [id(), parentId('discount_id'), str('code'), int('asyncUsageCount', 'usage_count'), ref('createdBy.id', 'created_by_app_id')],
});

export const discountCodesEntity = defineEntity({
  name: 'discount_codes',
  scopes: ['read_discounts'],
  sync: 'snapshot',
  tables: [codes],
  // The node's line makes no row (discounts has the discount); it carries the count its codes are checked against.
  routes: { DiscountCodeNode: null, DiscountRedeemCode: codes },
  countedChildren: { parent: 'DiscountCodeNode', count: 'codeDiscount.codesCount.count', child: 'DiscountRedeemCode', what: 'codes' },
});
