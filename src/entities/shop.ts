// The shop itself: one object, so a plain GraphQL query (a bulk query needs a connection).
import { bool, id, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const shop = table({
  name: 'shop',
  description: 'One row per run: the shop\'s settings. domain is the myshopify domain; primary_domain_* the domain customers see.',
  columns: [
    id(), str('name'), str('myshopifyDomain', 'domain'), str('email'), str('contactEmail'), str('currencyCode', 'currency'),
    strings('enabledPresentmentCurrencies'), str('ianaTimezone', 'timezone'), str('timezoneAbbreviation'), str('weightUnit'), str('unitSystem'),
    bool('taxesIncluded'), ts('createdAt'), ts('updatedAt'), str('primaryDomain.host'), str('primaryDomain.url'),
    str('plan.displayName'), bool('plan.partnerDevelopment'), bool('plan.shopifyPlus'),
  ],
});

export const shopEntity = defineEntity({ name: 'shop', sync: 'object', scopes: [], tables: [shop] });
