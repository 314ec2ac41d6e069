// The shop itself: one object, so a plain GraphQL query (a bulk query needs a connection). The record
// handed to process() is the response's `data`.
import { bool, id, str, strings, table, ts } from '../rows/columns.ts';
import { Fields } from '../rows/fields.ts';
import type { Entity } from './types.ts';

const shop = table({
  name: 'shop',
  description: 'One row per run: the shop\'s settings. domain is the myshopify domain; primary_domain_* the domain customers see.',
  fields: [
    id(), str('name'), str('myshopifyDomain', 'domain'), str('email'), str('contactEmail'), str('currencyCode', 'currency'),
    strings('enabledPresentmentCurrencies'), str('ianaTimezone', 'timezone'), str('timezoneAbbreviation'), str('weightUnit'), str('unitSystem'),
    bool('taxesIncluded'), ts('createdAt'), ts('updatedAt'), str('primaryDomain.host'), str('primaryDomain.url'),
    str('plan.displayName'), bool('plan.partnerDevelopment'), bool('plan.shopifyPlus'),
  ],
});

export const shopEntity: Entity = {
  name: 'shop',
  kind: 'plain',
  queryFile: 'shop.graphql',
  incremental: null,
  tables: [shop.def],
  typenames: [],
  process(data, out) {
    shop.emit(new Fields(data).object('shop'), out);
  },
};
