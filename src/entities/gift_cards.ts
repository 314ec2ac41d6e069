// Gift cards: the value issued and the balance left (their difference is what was redeemed), expiry
// and state. A snapshot: Shopify's giftCards root filters by created_at, not updated_at, while a
// redemption changes a card long after it was created. Gift cards exist on Shopify Plus only: another
// shop gets the table empty, with a note (src/sync/scope-preflight.ts).
import { bool, id, moneyV2, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const giftCards = table({
  name: 'gift_cards',
  description: 'One row per gift card: initial value and balance (in the card\'s currency), expiry date, enabled or deactivated, the last characters of its code, and the order, line item and customer it was issued with.',
  columns: [
    id(), ts('createdAt'), ts('updatedAt'), ts('deactivatedAt'), bool('enabled'), str('expiresOn'), str('lastCharacters'), str('maskedCode'), str('note'),
    moneyV2('initialValue'), moneyV2('balance'), ref('order.id', 'order_id'), ref('lineItem.id', 'line_item_id'), ref('customer.id', 'customer_id'),
  ],
});

export const giftCardsEntity = defineEntity({
  name: 'gift_cards',
  scopes: ['read_gift_cards'],
  requires: 'shopifyPlus',
  sync: 'snapshot',
  tables: [giftCards],
  routes: { GiftCard: giftCards },
});
