// Markets and the regions they target. A snapshot: markets have no createdAt or updatedAt, and the
// root filters on neither, so nothing tells what changed; a shop has a few markets, read whole each
// run. Regions are read under conditions.regionsCondition (Market.regions is deprecated); a market
// that matches company locations or retail locations instead has none.
import { bool, id, parentId, str, strings, table } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const markets = table({
  name: 'markets',
  description: 'One row per market (full snapshot each run): status, type, what its conditions match on (REPEATED), its base currency and whether prices include taxes and duties.',
  columns: [
    id(), str('name'), str('handle'), str('status'), str('type'), strings('conditions.conditionTypes', 'condition_types'),
    str('conditions.regionsCondition.applicationLevel', 'regions_application_level'),
    str('currencySettings.baseCurrency.currencyCode', 'base_currency'), bool('currencySettings.localCurrencies', 'local_currencies'), bool('currencySettings.roundingEnabled', 'rounding_enabled'),
    str('priceInclusions.inclusiveTaxPricingStrategy', 'tax_pricing_strategy'), str('priceInclusions.inclusiveDutiesPricingStrategy', 'duties_pricing_strategy'),
  ],
});

const regions = table({
  name: 'market_regions',
  description: 'One row per region a market targets: a country (country_code, and the currency it is sold in) or a country\'s subdivision (subdivision_code and subdivision_country_code); admin_graphql_api_id says which (MarketRegionCountry or MarketRegionSubdivision).',
  parent: { column: 'market_id', table: 'markets' },
  // Keyed by GID: countries and subdivisions are two types, whose numeric ids Shopify does not promise apart.
  key: ['admin_graphql_api_id'],
  columns: [
    id(), parentId('market_id'), str('name'), str('code', 'country_code'), str('currency.currencyCode', 'currency'),
    str('subdivisionCode', 'subdivision_code'), str('country.code', 'subdivision_country_code'),
  ],
});

export const marketsEntity = defineEntity({
  name: 'markets',
  scopes: ['read_markets'],
  sync: 'snapshot',
  tables: [markets, regions],
  routes: { Market: markets, MarketRegionCountry: regions, MarketRegionSubdivision: regions },
});
