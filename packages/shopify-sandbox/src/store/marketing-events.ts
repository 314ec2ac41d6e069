// Marketing events: the campaigns the shop's marketing apps report to Shopify (an email newsletter, a
// search or social ad), a fixed few (size.marketingEvents) spread over the year, in id order as they
// started. Their UTM parameters are the ones the order journeys' visits carry (order-after-sale.ts),
// so orders attribute to them. Some still run (no endedAt); a few are scheduled to end later.
import type { EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import type { Rec } from './model.ts';
import { rngFor } from './prng.ts';
import { DAY, iso } from './time.ts';

// This module's id space and random stream (apart from ids.ts's and the other modules').
const IDS = { MarketingEvent: 2_461_000_000_000 } as const;
const STREAM = 0x4d4b; // 'MK'

const APPS = {
  email: { __typename: 'App', id: gid('App', 1_353_903), title: 'Shopify Email' },
  klaviyo: { __typename: 'App', id: gid('App', 1_721_825), title: 'Klaviyo: Email Marketing & SMS' },
  google: { __typename: 'App', id: gid('App', 1_780_363), title: 'Google & YouTube' },
  meta: { __typename: 'App', id: gid('App', 2_329_312), title: 'Facebook & Instagram' },
} as const;

/** Campaign kinds: the app, tactic, channel and UTM parameters it reports. */
const CAMPAIGNS = [
  { app: APPS.meta, type: 'AD', channel: 'SOCIAL', channelHandle: 'instagram', utmSource: 'instagram', utmMedium: 'social', campaign: 'spring-drop', sourceAndMedium: 'Instagram post' },
  { app: APPS.klaviyo, type: 'NEWSLETTER', channel: 'EMAIL', channelHandle: null, utmSource: 'klaviyo', utmMedium: 'email', campaign: 'Frühling Sale', sourceAndMedium: 'Klaviyo newsletter' },
  { app: APPS.google, type: 'AD', channel: 'SEARCH', channelHandle: 'google', utmSource: 'google', utmMedium: 'cpc', campaign: 'brand-search', sourceAndMedium: 'Google search ad' },
  { app: APPS.email, type: 'NEWSLETTER', channel: 'EMAIL', channelHandle: 'shopify_email', utmSource: 'shop_app', utmMedium: 'email', campaign: 'welcome-series', sourceAndMedium: 'Shopify Email newsletter' },
  { app: APPS.meta, type: 'RETARGETING', channel: 'SOCIAL', channelHandle: 'facebook', utmSource: 'facebook', utmMedium: 'paid_social', campaign: 'cart-reminder', sourceAndMedium: 'Facebook retargeting ad' },
  { app: APPS.email, type: 'ABANDONED_CART', channel: 'EMAIL', channelHandle: 'shopify_email', utmSource: 'shop_app', utmMedium: 'email', campaign: null, sourceAndMedium: 'Shopify Email abandoned cart email' },
] as const;

export function marketingEventRecord(g: StoreGraph, e: number): Rec {
  const rng = rngFor(g.ctx.seed, STREAM, e);
  const kind = CAMPAIGNS[e % CAMPAIGNS.length]!;
  const { start, end } = g.ctx.timeline;
  const count = Math.max(1, g.ctx.size.marketingEvents ?? 0);
  const startedAt = start + Math.floor(((e + rng.float()) * (end - start - 30 * DAY)) / count);
  const runs = (7 + rng.int(40)) * DAY;
  const state = startedAt + runs > end ? 'running' : (['ended', 'ended', 'running', 'scheduled'] as const)[rng.int(4)]!;
  const id = numericId(g.ctx.seed, IDS.MarketingEvent, e);
  const round = Math.floor(e / CAMPAIGNS.length);
  return {
    __typename: 'MarketingEvent',
    id: gid('MarketingEvent', id),
    legacyResourceId: String(id),
    type: kind.type,
    remoteId: kind.app === APPS.meta ? `23851${rng.range(100_000, 999_999)}` : rng.chance(0.5) ? `cmp_${rng.range(10_000, 99_999)}` : null,
    startedAt: iso(startedAt),
    endedAt: state === 'ended' ? iso(startedAt + runs) : null,
    scheduledToEndAt: state === 'scheduled' ? iso(end + rng.range(1, 30) * DAY) : null,
    description: `${kind.sourceAndMedium}${round === 0 ? '' : ` #${round + 1}`}`,
    manageUrl: `https://admin.shopify.com/store/${g.ctx.shopDomain.replace(/\.myshopify\.com$/, '')}/apps/${kind.app.id.split('/').at(-1)}/campaigns/${id}`,
    previewUrl: kind.channel === 'EMAIL' ? `https://preview.${kind.utmSource}.example/${id}` : null,
    utmCampaign: kind.campaign === null ? null : `${kind.campaign}${round === 0 ? '' : `-${round + 1}`}`,
    utmMedium: kind.utmMedium,
    utmSource: kind.utmSource,
    sourceAndMedium: kind.sourceAndMedium,
    marketingChannelType: kind.channel,
    channelHandle: kind.channelHandle,
    app: kind.app,
  };
}

export const marketingEventsGenerator: EntityGenerator = {
  root: 'marketingEvents',
  *nodes(g) {
    for (let e = 0; e < (g.ctx.size.marketingEvents ?? 0); e++) yield marketingEventRecord(g, e);
  },
  truth: (g) => ({ marketing_events: g.ctx.size.marketingEvents ?? 0 }),
};
