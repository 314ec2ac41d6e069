// The shop itself: served to ordinary (non-bulk) queries, one row of the ETL's shop table.
import { gid, IdBase, numericId } from './ids.ts';
import type { StoreContext } from './context.ts';
import type { EntityGenerator } from './generator.ts';
import { ownerMetafields } from './metafields.ts';
import { connectionPage, type Args } from './model.ts';
import { DAY, iso } from './time.ts';

/** When the shop was created: a month before its data's first record. */
export const shopCreated = (ctx: StoreContext): number => ctx.timeline.start - 30 * DAY;

export function shopRecord(ctx: StoreContext): Record<string, unknown> {
  const handle = ctx.shopDomain.replace(/\.myshopify\.com$/, '');
  const name = handle.split(/[-_.]/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1)).join(' ') || 'Sandbox Shop';
  return {
    __typename: 'Shop',
    id: gid('Shop', numericId(ctx.seed, IdBase.Shop, 0)),
    name,
    myshopifyDomain: ctx.shopDomain,
    email: `owner@${handle}.example.com`,
    contactEmail: `hello@${handle}.example.com`,
    currencyCode: ctx.shopCurrency,
    enabledPresentmentCurrencies: ['USD', 'EUR', 'GBP', 'CAD'],
    ianaTimezone: ctx.features.timeZone,
    timezoneAbbreviation: timeZoneAbbreviation(ctx.features.timeZone, ctx.timeline.end),
    weightUnit: 'KILOGRAMS',
    unitSystem: 'METRIC_SYSTEM',
    taxesIncluded: false,
    createdAt: iso(shopCreated(ctx)),
    updatedAt: iso(ctx.timeline.end - DAY),
    primaryDomain: { __typename: 'Domain', id: gid('Domain', numericId(ctx.seed, IdBase.Shop, 1)), host: ctx.shopDomain, url: `https://${ctx.shopDomain}`, sslEnabled: true },
    plan: ctx.features.shopifyPlus
      ? { __typename: 'ShopPlan', displayName: 'Plus Partner Sandbox', partnerDevelopment: true, shopifyPlus: true }
      : { __typename: 'ShopPlan', displayName: 'Development', partnerDevelopment: true, shopifyPlus: false },
    // Ordinary queries page through it (the shop is no bulk root).
    metafields: (args: Args) => connectionPage(ownerMetafields(ctx, 'SHOP', 0, shopCreated(ctx)), args),
  };
}

/** A zone's short name at an instant, as the admin shows it ("UTC", "EST", "GMT+13"). */
function timeZoneAbbreviation(timeZone: string, atSeconds: number): string {
  if (timeZone === 'Etc/UTC') return 'UTC';
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(atSeconds * 1000));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

export const shopGenerator: EntityGenerator = {
  root: 'shop',
  value: (g) => shopRecord(g.ctx),
  truth: () => ({ shop: 1 }),
};
