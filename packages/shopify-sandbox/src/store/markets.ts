// Markets: a fixed set, as a shop that sells abroad configures them. Region markets list their
// regions (countries, or a country's subdivisions) under conditions.regionsCondition; one market
// matches B2B company locations instead and has no regions; some are drafts. Markets have no
// timestamps at all.
import type { EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';

const ROOT = 'markets';
// This module's id spaces (apart from ids.ts's and the other modules').
const IDS = { Market: 6_653_000_000_000, MarketRegionCountry: 6_767_000_000_000, MarketRegionSubdivision: 6_879_000_000_000 } as const;
/** Regions per market at most (their ordinals are market * MAX_REGIONS + k). */
const MAX_REGIONS = 16;

interface MarketSpec {
  name: string;
  handle: string;
  status: 'ACTIVE' | 'DRAFT';
  type: 'REGION' | 'COMPANY_LOCATION';
  currency: string;
  taxes: 'ADD_TAXES_AT_CHECKOUT' | 'INCLUDES_TAXES_IN_PRICE';
  /** Countries [code, name, currency], or a country's subdivisions [code, name] with `country`. */
  countries?: ReadonlyArray<readonly [string, string, string]>;
  subdivisions?: { country: string; regions: ReadonlyArray<readonly [string, string]> };
}

const MARKETS: readonly MarketSpec[] = [
  { name: 'United States', handle: 'us', status: 'ACTIVE', type: 'REGION', currency: 'USD', taxes: 'ADD_TAXES_AT_CHECKOUT', countries: [['US', 'United States', 'USD']] },
  { name: 'Canada', handle: 'ca', status: 'ACTIVE', type: 'REGION', currency: 'CAD', taxes: 'ADD_TAXES_AT_CHECKOUT', countries: [['CA', 'Canada', 'CAD']] },
  { name: 'Europe', handle: 'europe', status: 'ACTIVE', type: 'REGION', currency: 'EUR', taxes: 'INCLUDES_TAXES_IN_PRICE', countries: [['DE', 'Germany', 'EUR'], ['FR', 'France', 'EUR'], ['PL', 'Poland', 'PLN']] },
  { name: 'United Kingdom', handle: 'uk', status: 'ACTIVE', type: 'REGION', currency: 'GBP', taxes: 'INCLUDES_TAXES_IN_PRICE', countries: [['GB', 'United Kingdom', 'GBP']] },
  { name: 'Pacific Northwest', handle: 'us-pnw', status: 'DRAFT', type: 'REGION', currency: 'USD', taxes: 'ADD_TAXES_AT_CHECKOUT', subdivisions: { country: 'US', regions: [['OR', 'Oregon'], ['WA', 'Washington']] } },
  { name: 'Japan', handle: 'jp', status: 'DRAFT', type: 'REGION', currency: 'JPY', taxes: 'INCLUDES_TAXES_IN_PRICE', countries: [['JP', '日本', 'JPY']] },
  { name: 'Wholesale', handle: 'wholesale', status: 'ACTIVE', type: 'COMPANY_LOCATION', currency: 'USD', taxes: 'ADD_TAXES_AT_CHECKOUT' },
];

const currencySetting = (currencyCode: string): Rec => ({ __typename: 'CurrencySetting', currencyCode, enabled: true });

function regionsOf(g: StoreGraph, m: number, spec: MarketSpec): Rec[] {
  const id = (type: keyof typeof IDS, k: number): string => gid(type, numericId(g.ctx.seed, IDS[type], m * MAX_REGIONS + k));
  if (spec.subdivisions) {
    const { country, regions } = spec.subdivisions;
    return regions.map(([code, name], k) => ({ __typename: 'MarketRegionSubdivision', id: id('MarketRegionSubdivision', k), name, code, country: { __typename: 'MarketRegionSubdivisionCountry', code: country } }));
  }
  return (spec.countries ?? []).map(([code, name, currency], k) => ({ __typename: 'MarketRegionCountry', id: id('MarketRegionCountry', k), name, code, currency: currencySetting(currency) }));
}

/** The shop's markets, in id order. */
export function markets(g: StoreGraph): Rec[] {
  return MARKETS.map((spec, m): Rec => {
    const regions = regionsOf(g, m, spec);
    return {
      __typename: 'Market',
      id: gid('Market', numericId(g.ctx.seed, IDS.Market, m)),
      name: spec.name,
      handle: spec.handle,
      status: spec.status,
      type: spec.type,
      conditions: {
        __typename: 'MarketConditions',
        conditionTypes: [spec.type],
        regionsCondition: spec.type !== 'REGION' ? null : { __typename: 'RegionsCondition', applicationLevel: 'SPECIFIED', regions: () => new Connection(regions) },
      },
      currencySettings: { __typename: 'MarketCurrencySettings', baseCurrency: currencySetting(spec.currency), localCurrencies: spec.countries !== undefined && spec.countries.length > 1, roundingEnabled: spec.currency !== 'USD' },
      priceInclusions: { __typename: 'MarketPriceInclusions', inclusiveTaxPricingStrategy: spec.taxes, inclusiveDutiesPricingStrategy: spec.type === 'REGION' && spec.currency !== 'USD' ? 'INCLUDE_DUTIES_IN_PRICE' : 'ADD_DUTIES_AT_CHECKOUT' },
    };
  });
}

export const marketsGenerator: EntityGenerator = {
  root: ROOT,
  // Read whole every run: markets have no timestamps to window on, and the root has no date filter.
  nodes: (g) => markets(g),
  truth: () => ({ markets: MARKETS.length, market_regions: MARKETS.reduce((n, spec) => n + (spec.countries?.length ?? spec.subdivisions?.regions.length ?? 0), 0) }),
};
