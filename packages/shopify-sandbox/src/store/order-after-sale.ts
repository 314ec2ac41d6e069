// What happens to an order after it is placed, as Shopify's order records show it: its sales
// agreements (the order itself, each refund, each return, an occasional edit), its returns with their
// line items, its refunds in detail, and the customer journey that led to it. Built from the order's
// own refunds, status and fulfillments, so an agreement points at a refund the order lists and a
// return only follows a fulfilled order, taking back what its fulfillments shipped.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { adjustmentSale, editSales, lineSales, unitRefundSales, type LedgerInput } from './order-ledger.ts';
import { refundsInDetail, returnLineItems, type RefundCounts } from './order-refund-detail.ts';
import { rngFor, Streams } from './prng.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';

export interface AfterSaleInput {
  i: number;
  createdAt: number;
  /** Seconds between creation and the order's last update: everything here happens before it. */
  at: (f: number) => number;
  sourceName: string;
  refunds: readonly Rec[];
  /** Each refund's amount in cents, as `refunds` lists them. */
  refundCents: readonly number[];
  /** The order's fulfillments (order-parts.ts, fulfillmentRecords): what a return takes back was shipped by one. */
  fulfillments: readonly Rec[];
  ledger: LedgerInput;
  /** The lines as placed, when an edit (store.editOrders) changed them since (its own agreement sold those), and when the edit happened. */
  placed: { ledger: LedgerInput; at: number } | null;
  quantity: number;
}

export interface AfterSale {
  /** `refunds`: the order's, with their detail. */
  fields: Pick<Rec, 'agreements' | 'returns' | 'refunds' | 'customerJourneySummary'>;
  counts: { agreements: number; returns: number; sales: number; returnLineItems: number } & RefundCounts;
}

const SOURCES = [
  { source: 'google', sourceType: 'SEO', referrerUrl: 'https://www.google.com/', utm: null },
  { source: 'instagram', sourceType: 'POST', referrerUrl: 'https://l.instagram.com/', utm: { source: 'instagram', medium: 'social', campaign: 'spring-drop', content: 'reel-3', term: null } },
  { source: 'newsletter', sourceType: 'NEWSLETTER', referrerUrl: null, utm: { source: 'klaviyo', medium: 'email', campaign: 'Frühling Sale', content: null, term: null } },
  { source: 'direct', sourceType: null, referrerUrl: null, utm: null },
] as const;

export function afterSale(g: StoreGraph, input: AfterSaleInput): AfterSale {
  const { i, at } = input;
  const rng = rngFor(g.ctx.seed, Streams.afterSale, i);
  const agreementId = (k: number): string => gid(`SalesAgreement`, numericId(g.ctx.seed, IdBase.SalesAgreement, i * 8 + k));
  const none = (): Connection => new Connection([]);
  // As in Shopify, an edit leaves what the order sold as it was and adds the difference as an edit agreement's sales.
  const sold = input.placed?.ledger ?? input.ledger;
  const agreements: Rec[] = [{ __typename: 'OrderAgreement', id: agreementId(0), happenedAt: iso(input.createdAt), reason: 'ORDER', app: null, user: null, sales: () => new Connection(lineSales(sold, i * 8, 1)) }];
  const edits = input.placed ? editSales(input.placed.ledger, input.ledger, i * 8 + 1) : [];
  // An edit (store.editOrders) happened when it updated the order; one that changed no money, before the order's last update.
  if (rng.chance(0.05) || input.placed) agreements.push({ __typename: 'OrderEditAgreement', id: agreementId(1), happenedAt: iso(input.placed?.at ?? at(0.2)), reason: 'ORDER_EDIT', app: null, user: null, sales: () => new Connection(edits) });

  const { refunds, taken, counts: refunded } = refundsInDetail(g, i, input.refunds, input.refundCents, input.ledger, input.fulfillments);
  // A refunded, fulfilled order was often returned first; its return closes when the refund is made.
  const fulfilled = input.fulfillments.length > 0;
  const returns: Rec[] = [];
  if (fulfilled && refunds.length > 0 && rng.chance(0.6)) {
    const refund = refunds[0]!;
    returns.push(returnRecord(g, i, 0, { status: 'CLOSED', createdAt: at(0.6), closedAt: Date.parse(refund.processedAt as string) / 1000, wanted: Math.max(1, Math.min(2, input.quantity)), decline: null }, input.fulfillments));
  } else if (fulfilled && rng.chance(0.03)) {
    const declined = rng.chance(0.5);
    returns.push(returnRecord(g, i, 0, {
      status: declined ? 'DECLINED' : 'REQUESTED', createdAt: at(0.8), closedAt: null, wanted: 1,
      decline: declined ? { __typename: 'ReturnDecline', reason: 'FINAL_SALE', note: rng.chance(0.5) ? 'Artikel im Ausverkauf' : null } : null,
    }, input.fulfillments));
  }
  for (const [k, ret] of returns.entries()) {
    if (ret.status !== 'CLOSED') continue;
    // The money of a return moves with its refund (the refund's agreement carries the sales).
    agreements.push({ __typename: 'ReturnAgreement', id: agreementId(2 + k), happenedAt: ret.closedAt as string, reason: 'RETURN', app: null, user: null, return: ret, sales: none });
  }
  let refundSales = 0;
  for (const [k, refund] of refunds.entries()) {
    const ordinal = i * 8 + 4 + k;
    const cents = input.refundCents[k]!;
    // What the refund takes back (order-refund-detail.ts) is what its agreement returns: every line, a
    // unit and an adjustment of the rest, or an adjustment of its amount.
    const t = taken[k]!;
    const sales = t.kind === 'whole' ? lineSales(input.ledger, ordinal, -1) : t.kind === 'unit' ? unitRefundSales(input.ledger, ordinal, t.line, cents) : [adjustmentSale(input.ledger, ordinal, cents)];
    refundSales += sales.length;
    agreements.push({ __typename: 'RefundAgreement', id: agreementId(4 + k), happenedAt: refund.processedAt as string, reason: 'REFUND', app: null, user: null, refund, sales: () => new Connection(sales) });
  }

  return {
    fields: {
      agreements: () => new Connection(agreements),
      returns: () => new Connection(returns),
      refunds,
      customerJourneySummary: input.sourceName === 'pos' ? null : journey(g, input, rng),
    },
    counts: {
      agreements: agreements.length,
      returns: returns.length,
      sales: sold.lines.length + edits.length + refundSales,
      returnLineItems: returns.reduce((n, r) => n + [...(r.returnLineItems as () => Connection)().nodes].length, 0),
      ...refunded,
    },
  };
}

/** Return `k` of order `i`, of up to `wanted` units of what the fulfillments shipped. */
function returnRecord(g: StoreGraph, i: number, k: number, r: { status: string; createdAt: number; closedAt: number | null; wanted: number; decline: Rec | null }, fulfillments: readonly Rec[]): Rec {
  const orderNumber = 1001 + i;
  const items = returnLineItems(g, i, k, r.status, r.wanted, fulfillments);
  return {
    __typename: 'Return',
    id: gid('Return', numericId(g.ctx.seed, IdBase.Return, i * 2 + k)),
    name: `#${orderNumber}-R${k + 1}`,
    status: r.status,
    createdAt: iso(r.createdAt),
    requestApprovedAt: r.status === 'CLOSED' ? iso(r.createdAt + 3600) : null,
    closedAt: r.closedAt === null ? null : iso(r.closedAt),
    totalQuantity: items.reduce((n, item) => n + (item.quantity as number), 0),
    decline: r.decline,
    returnLineItems: () => new Connection(items),
  };
}

function journey(g: StoreGraph, input: AfterSaleInput, rng: ReturnType<typeof rngFor>): Rec {
  const days = rng.weighted([50, 20, 15, 10, 5]) * 3;
  const moments = 1 + rng.int(6);
  const visit = (k: number, when: number): Rec => {
    const s = SOURCES[rng.weighted([40, 25, 15, 20])] ?? SOURCES[3];
    return {
      __typename: 'CustomerVisit',
      id: gid('CustomerVisit', numericId(g.ctx.seed, IdBase.CustomerVisit, input.i * 2 + k)),
      occurredAt: iso(when),
      source: s.source,
      sourceType: s.sourceType,
      referrerUrl: s.referrerUrl,
      landingPage: rng.pick(['https://maple-goods.example/', 'https://maple-goods.example/collections/sale', 'https://maple-goods.example/products/wool-scarf?variant=1']),
      utmParameters: s.utm === null ? null : { __typename: 'UTMParameters', ...s.utm },
    };
  };
  const first = visit(0, input.createdAt - days * 86_400 - 600);
  return {
    __typename: 'CustomerJourneySummary',
    ready: true,
    customerOrderIndex: rng.int(4),
    daysToConversion: days,
    momentsCount: { __typename: 'Count', count: moments, precision: 'EXACT' },
    firstVisit: first,
    lastVisit: moments === 1 ? first : visit(1, input.createdAt - 300),
  };
}
