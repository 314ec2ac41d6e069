// The registry: one line per entity. Adding an entity = a query file, a module, a line here, a fixture
// and a sandbox generator (README, "Contributing: adding an entity"); a test fails when a part is missing.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { articlesEntity } from './articles.ts';
import { blogsEntity } from './blogs.ts';
import { collectionsEntity } from './collections.ts';
import { companiesEntity } from './companies.ts';
import { customersEntity } from './customers.ts';
import { draftOrdersEntity } from './draft_orders.ts';
import { fulfillmentOrdersEntity } from './fulfillment_orders.ts';
import { tenderTransactionsEntity } from './tender_transactions.ts';
import { giftCardsEntity } from './gift_cards.ts';
import { disputesEntity } from './disputes.ts';
import { abandonedCheckoutsEntity } from './abandoned_checkouts.ts';
import { discountsEntity } from './discounts.ts';
import { discountCodesEntity } from './discount_codes.ts';
import { payoutsEntity } from './payouts.ts';
import { balanceTransactionsEntity } from './balance_transactions.ts';
import { inventoryEntity } from './inventory.ts';
import { locationsEntity } from './locations.ts';
import { marketsEntity } from './markets.ts';
import { ordersEntity } from './orders.ts';
import { orderSalesEntity } from './order_sales.ts';
import { metafieldsEntity } from './metafields.ts';
import { refundDetailEntity } from './refund_detail.ts';
import { marketingEventsEntity } from './marketing_events.ts';
import { pagesEntity } from './pages.ts';
import { productsEntity } from './products.ts';
import { shopEntity } from './shop.ts';
import { staffMembersEntity } from './staff_members.ts';
import type { Entity, QueryPart } from './types.ts';

export const entities: readonly Entity[] = [
  ordersEntity,
  productsEntity,
  customersEntity,
  inventoryEntity,
  locationsEntity,
  collectionsEntity,
  metafieldsEntity,
  shopEntity,
  draftOrdersEntity,
  fulfillmentOrdersEntity,
  tenderTransactionsEntity,
  giftCardsEntity,
  disputesEntity,
  payoutsEntity,
  balanceTransactionsEntity,
  orderSalesEntity,
  refundDetailEntity,
  companiesEntity,
  abandonedCheckoutsEntity,
  marketsEntity,
  staffMembersEntity,
  discountsEntity,
  discountCodesEntity,
  pagesEntity,
  blogsEntity,
  articlesEntity,
  marketingEventsEntity,
];

/** Entities that were renamed or merged into another: asking for one says where its rows went. */
const MOVED: Readonly<Record<string, string>> = {
  product_metafields: 'its rows are metafields rows with owner_type PRODUCT now: ask for metafields',
};

export function entityByName(name: string): Entity {
  const found = entities.find((e) => e.name === name);
  if (!found) {
    const moved = Object.hasOwn(MOVED, name) ? `: ${MOVED[name]}` : '';
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `unknown entity ${JSON.stringify(name)}${moved}; valid entities: ${entities.map((e) => e.name).join(', ')}`);
  }
  return found;
}

const partsByName = new Map(entities.flatMap((e) => e.parts.map((p) => [p.name, p] as const)));

/** One query of an entity by its name (the worker threads process a batch of it by name). */
export function queryPartByName(name: string): QueryPart {
  const found = partsByName.get(name);
  if (!found) throw new EtlError(ErrorCodes.INTERNAL, `unknown query ${JSON.stringify(name)}`);
  return found;
}
