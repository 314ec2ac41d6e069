// An order's risk summary as Shopify's fraud analysis and the shop's fraud apps leave it
// (Order.risk): Shopify's own assessment of every online order (provider null), a fraud app's on some,
// each with the facts behind it, and the recommendation the highest level among them gives. Point of
// sale orders are not analysed: no assessments, recommendation NONE. An order cancelled for fraud was
// assessed HIGH. Its own random stream, so the order's other fields stay as they were.
import { gid } from './ids.ts';
import type { Rec } from './model.ts';
import { rngFor, Streams, type Rng } from './prng.ts';

export interface RiskInput {
  i: number;
  sourceName: string;
  cancelReason: string | null;
}

const LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'PENDING', 'NONE'] as const;
type Level = (typeof LEVELS)[number];

/** What each level recommends; the order's recommendation is its highest assessment's. */
const RECOMMENDATION: Record<Level, string> = { HIGH: 'CANCEL', MEDIUM: 'INVESTIGATE', LOW: 'ACCEPT', PENDING: 'NONE', NONE: 'NONE' };
const RANK: Record<Level, number> = { HIGH: 4, MEDIUM: 3, LOW: 2, PENDING: 1, NONE: 0 };

const GOOD = [
  'Card Verification Value (CVV) is correct',
  'Billing address matches credit card\'s registered address',
  'Customer has placed previous orders without chargebacks',
  'Payment was made with a card issued in the shipping country',
];
const BAD = [
  'Characteristics of this order are similar to fraudulent orders observed in the past',
  'There were 4 payment attempts',
  'Billing street address doesn\'t match credit card\'s registered address',
  'Order was placed from an IP address that is a known proxy',
  'Shipping address is more than 1,200 km from where the order was placed',
];

/** The fraud apps a shop installs; their ids are Shopify's ids of the app, the same in every shop. */
const APPS = [
  { __typename: 'App', id: gid('App', 2_571_137), title: 'Signifyd' },
  { __typename: 'App', id: gid('App', 6_133_329), title: 'NoFraud Fraud Prevention' },
] as const;

/** The facts behind an assessment: more negative ones the higher its level, positive ones otherwise. */
function facts(rng: Rng, level: Level): Rec[] {
  const negative = level === 'HIGH' ? 2 + rng.int(2) : level === 'MEDIUM' ? 1 : 0;
  const positive = level === 'HIGH' ? rng.int(2) : 1 + rng.int(3);
  const from = rng.int(BAD.length);
  const fact = (description: string, sentiment: string): Rec => ({ __typename: 'RiskFact', description, sentiment });
  return [
    ...Array.from({ length: negative }, (_, k) => fact(BAD[(from + k) % BAD.length]!, 'NEGATIVE')),
    ...GOOD.slice(0, positive).map((d) => fact(d, 'POSITIVE')),
    ...(rng.chance(0.3) ? [fact('Order was placed with a free email address', 'NEUTRAL')] : []),
  ];
}

export function orderRisk(seed: number, input: RiskInput): Rec {
  if (input.sourceName === 'pos') return { __typename: 'OrderRiskSummary', recommendation: 'NONE', assessments: [] };
  const rng = rngFor(seed, Streams.afterSale, input.i, 1);
  const shopify: Level = input.cancelReason === 'FRAUD' ? 'HIGH' : LEVELS[rng.weighted([86, 9, 2, 2, 1])] ?? 'LOW';
  const assessments: Array<{ level: Level; provider: Rec | null }> = [{ level: shopify, provider: null }];
  // A fraud app reviews some orders after Shopify, mostly agreeing with it.
  if (rng.chance(0.2)) assessments.push({ level: rng.chance(0.8) ? shopify : LEVELS[rng.weighted([60, 30, 10])] ?? 'LOW', provider: rng.pick(APPS) });
  const highest = assessments.reduce((a, b) => (RANK[b.level] > RANK[a.level] ? b : a));
  return {
    __typename: 'OrderRiskSummary',
    recommendation: RECOMMENDATION[highest.level],
    assessments: assessments.map((a) => ({ __typename: 'OrderRiskAssessment', riskLevel: a.level, provider: a.provider, facts: facts(rng, a.level) })),
  };
}
