// Discounts, automatic and code ones (discountNodes): type, title, status, when they run, what they
// combine with, their value, minimum requirement and usage. A snapshot, though discountNodes filters
// on updated_at: a discount's status moves from scheduled to active to expired as its dates pass and
// its usage count grows with every order that uses it, and neither moves its updatedAt. Redeem codes
// are discount_codes' (discount_codes.ts).
import { bool, float, id, int, moneyV2, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const DISCOUNT_TYPES = ['DiscountCodeBasic', 'DiscountCodeBxgy', 'DiscountCodeFreeShipping', 'DiscountCodeApp', 'DiscountAutomaticBasic', 'DiscountAutomaticBxgy', 'DiscountAutomaticFreeShipping', 'DiscountAutomaticApp'];
const d = (path: string): string => `discount.${path}`;
const value = (path: string): string => d(`customerGets.value.${path}`);

const discounts = table({
  name: 'discounts',
  description: `One row per discount. type is its GraphQL type (${DISCOUNT_TYPES.join(', ')}): DiscountCode* need a code at checkout, DiscountAutomatic* apply by themselves. The value is value_amount (a fixed amount), value_percentage (a fraction of 1) or, for buy X get Y, value_quantity items at value_effect_percentage or value_effect_amount off; minimum_requirement_type says which minimum column applies. usage_count is Shopify's asyncUsageCount (updated shortly after each use); codes_count and usage_limit are for code discounts.`,
  columns: [
    id(), str(d('__typename'), 'type'), str(d('title'), 'title'), str(d('status'), 'status'), str(d('summary'), 'summary'),
    ts(d('startsAt'), 'starts_at'), ts(d('endsAt'), 'ends_at'), ts(d('createdAt'), 'created_at'), ts(d('updatedAt'), 'updated_at'),
    strings(d('discountClasses'), 'discount_classes'), strings(d('tags'), 'tags'),
    bool(d('combinesWith.orderDiscounts'), 'combines_with_order_discounts'), bool(d('combinesWith.productDiscounts'), 'combines_with_product_discounts'),
    bool(d('combinesWith.shippingDiscounts'), 'combines_with_shipping_discounts'),
    str(value('__typename'), 'value_type'), moneyV2(value('amount'), 'value_amount'), bool(value('appliesOnEachItem'), 'value_applies_on_each_item'),
    float(value('percentage'), 'value_percentage'), int(value('quantity.quantity'), 'value_quantity'),
    float(value('effect.percentage'), 'value_effect_percentage'), moneyV2(value('effect.amount'), 'value_effect_amount'),
    str(d('minimumRequirement.__typename'), 'minimum_requirement_type'), int(d('minimumRequirement.greaterThanOrEqualToQuantity'), 'minimum_quantity'),
    moneyV2(d('minimumRequirement.greaterThanOrEqualToSubtotal'), 'minimum_subtotal'),
    int(d('asyncUsageCount'), 'usage_count'), int(d('usageLimit'), 'usage_limit'), bool(d('appliesOncePerCustomer'), 'applies_once_per_customer'),
    int(d('codesCount.count'), 'codes_count'), str(d('codesCount.precision'), 'codes_count_precision'), moneyV2(d('totalSales'), 'total_sales'),
    str(d('appDiscountType.functionId'), 'app_function_id'), str(d('appDiscountType.title'), 'app_discount_type'),
  ],
});

export const discountsEntity = defineEntity({
  name: 'discounts',
  scopes: ['read_discounts'],
  sync: 'snapshot',
  tables: [discounts],
  routes: { DiscountNode: discounts },
});
