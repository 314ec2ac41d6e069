// Fulfillment orders: each order's shippable line items, grouped by where and whether they are
// fulfilled. A fulfilled order has one CLOSED fulfillment order per fulfillment (the same lines, at
// the fulfillment's location); an unfulfilled one has one OPEN, ON_HOLD or SCHEDULED fulfillment
// order, a partly fulfilled one an IN_PROGRESS one with its last line still to do; a cancelled
// order's is CLOSED with nothing left. A fulfillment order keeps its own updatedAt: a hold placed after
// the order's last update moves it and not the order, as in Shopify, and mutate() touching the order
// leaves its fulfillment orders alone (they derive from the order's base times); an order edit does not.
import { inWindow, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { rngFor, type Rng } from './prng.ts';
import { iso } from './time.ts';

const ROOT = 'fulfillmentOrders';
// This module's id spaces and random stream (apart from ids.ts's and the other modules').
const IDS = { FulfillmentOrder: 2_281_000_000_000, FulfillmentOrderLineItem: 2_417_000_000_000, FulfillmentHold: 2_533_000_000_000, Destination: 2_649_000_000_000, DeliveryMethod: 2_765_000_000_000 } as const;
const STREAM = 0x464f; // 'FO'
/** Fulfillment orders per order at most (two fulfillments, or one open), and line items per order at most (orders.ts). */
const PER_ORDER = 4;
const MAX_LINES = 16;
const HOLDS = [
  { reason: 'AWAITING_PAYMENT', display: 'Awaiting payment' },
  { reason: 'HIGH_RISK_OF_FRAUD', display: 'High risk of fraud' },
  { reason: 'INCORRECT_ADDRESS', display: 'Incorrect address' },
  { reason: 'INVENTORY_OUT_OF_STOCK', display: 'Inventory out of stock' },
] as const;

interface BuiltFulfillmentOrder {
  record: Rec;
  updated: number;
  created: number;
  closed: boolean;
  lineItems: number;
}

type Thunk = () => Rec;

/** The fulfillment orders of order i, in id order. */
export function fulfillmentOrdersOf(g: StoreGraph, i: number): BuiltFulfillmentOrder[] {
  const { ctx } = g;
  const built = g.buildOrder(i);
  const order = built.record;
  const times = ctx.rootTimes('orders', i);
  const rng = rngFor(ctx.seed, STREAM, i);
  // A line an edit removed has nothing to fulfil: the sandbox gives it no fulfillment order line item.
  const lines = [...((order['lineItems'] as () => Connection)().nodes)].filter((l) => l['requiresShipping'] === true && !built.removed.has(l['id'] as string));
  if (lines.length === 0) return [];
  const fulfillments = order['fulfillments'] as Rec[];
  const cancelled = order['cancelledAt'] !== null;
  const status = order['displayFulfillmentStatus'] as string;
  const end = ctx.timeline.end;
  const seconds = (text: unknown): number => Date.parse(String(text)) / 1000;
  const groups: Array<{ lines: Rec[]; status: string; remaining: (line: Rec, k: number) => number; updated: number; location: Thunk | null; hold: boolean }> = [];
  if (!cancelled && status === 'FULFILLED' && fulfillments.length > 0) {
    fulfillments.forEach((f, n) => groups.push({
      lines: lines.filter((_, k) => k % fulfillments.length === n), status: 'CLOSED', remaining: () => 0,
      updated: seconds(f['updatedAt']), location: (f['location'] as Thunk | null) ?? null, hold: false,
    }));
  } else {
    const active = g.activeLocations();
    const l = active.length > 0 ? active[rng.int(active.length)]! : null;
    const location = l === null ? null : () => g.location(l);
    // After the order's own last change, up to the end of the store's data: the order does not move.
    const later = times.baseUpdated + rng.int(Math.max(1, end - times.baseUpdated));
    if (cancelled) groups.push({ lines, status: 'CLOSED', remaining: () => 0, updated: seconds(order['cancelledAt']), location, hold: false });
    else if (status === 'PARTIALLY_FULFILLED') groups.push({ lines, status: 'IN_PROGRESS', remaining: (line, k) => (k === lines.length - 1 ? (line['quantity'] as number) : 0), updated: later, location, hold: false });
    else {
      const kind = rng.weighted([75, 18, 7]);
      groups.push({ lines, status: kind === 1 ? 'ON_HOLD' : kind === 2 ? 'SCHEDULED' : 'OPEN', remaining: (line) => line['quantity'] as number, updated: kind === 0 ? times.baseUpdated : later, location, hold: kind === 1 });
    }
  }
  // An order edit (store.editOrders) takes a line out of its fulfillment orders too: they are updated
  // with it. A plain touch of the order (mutate) leaves them as they were.
  const editedAt = ctx.overlay.editedOrders.get(i);
  return groups.map((group, f) => build(g, i, f, rng, order, editedAt !== undefined ? { ...group, updated: Math.max(group.updated, editedAt) } : group));
}

function build(g: StoreGraph, i: number, f: number, rng: Rng, order: Rec, group: { lines: Rec[]; status: string; remaining: (line: Rec, k: number) => number; updated: number; location: Thunk | null; hold: boolean }): BuiltFulfillmentOrder {
  const { ctx } = g;
  const ordinal = i * PER_ORDER + f;
  const created = ctx.rootTimes('orders', i).created;
  const shipping = order['shippingAddress'] as Rec | null;
  const hold = HOLDS[rng.int(HOLDS.length)]!;
  const lineItems = group.lines.map((line, k): Rec => {
    const variant = line['variant'] as Thunk | null;
    return {
      __typename: 'FulfillmentOrderLineItem',
      id: gid('FulfillmentOrderLineItem', numericId(ctx.seed, IDS.FulfillmentOrderLineItem, ordinal * MAX_LINES + k)),
      lineItem: { __typename: 'LineItem', id: line['id'] as string },
      variant,
      inventoryItemId: variant ? () => (variant()['inventoryItem'] as Thunk)()['id'] as string : null,
      sku: line['sku'] as string | null,
      productTitle: line['title'] as string,
      variantTitle: line['variantTitle'] as string | null,
      vendor: line['vendor'] as string | null,
      requiresShipping: true,
      totalQuantity: line['quantity'] as number,
      remainingQuantity: group.remaining(line, k),
    };
  });
  const location = group.location;
  const scheduled = group.status === 'SCHEDULED';
  const record: Rec = {
    __typename: 'FulfillmentOrder',
    id: gid('FulfillmentOrder', numericId(ctx.seed, IDS.FulfillmentOrder, ordinal)),
    order,
    orderId: order['id'] as string,
    orderName: order['name'] as string,
    orderProcessedAt: order['processedAt'] as string,
    status: group.status,
    requestStatus: 'UNSUBMITTED',
    createdAt: iso(created),
    updatedAt: iso(group.updated),
    fulfillAt: scheduled ? iso(group.updated + 7 * 86_400) : iso(created),
    fulfillBy: null,
    assignedLocation: () => {
      const loc = location?.() ?? null;
      const address = (loc?.['address'] ?? null) as Rec | null;
      return {
        __typename: 'FulfillmentOrderAssignedLocation',
        name: (loc?.['name'] as string | undefined) ?? 'Unassigned',
        countryCode: (address?.['countryCode'] as string | undefined) ?? 'US',
        city: (address?.['city'] as string | null | undefined) ?? null,
        province: (address?.['province'] as string | null | undefined) ?? null,
        zip: (address?.['zip'] as string | null | undefined) ?? null,
        location: loc,
      };
    },
    destination: shipping === null ? null : {
      __typename: 'FulfillmentOrderDestination',
      id: gid('FulfillmentOrderDestination', numericId(ctx.seed, IDS.Destination, ordinal)),
      city: shipping['city'] as string | null,
      province: shipping['province'] as string | null,
      countryCode: shipping['countryCodeV2'] as string | null,
      zip: shipping['zip'] as string | null,
    },
    deliveryMethod: {
      __typename: 'DeliveryMethod',
      id: gid('DeliveryMethod', numericId(ctx.seed, IDS.DeliveryMethod, ordinal)),
      methodType: 'SHIPPING',
      presentedName: rng.pick(['Standard Shipping', 'Express', 'Economy']),
    },
    fulfillmentHolds: group.hold
      ? [{ __typename: 'FulfillmentHold', id: gid('FulfillmentHold', numericId(ctx.seed, IDS.FulfillmentHold, ordinal)), reason: hold.reason, reasonNotes: rng.chance(0.5) ? 'Kunde kontaktiert / customer contacted' : null, displayReason: hold.display }]
      : [],
    lineItems: () => new Connection(lineItems),
  };
  return { record, updated: group.updated, created, closed: group.status === 'CLOSED', lineItems: lineItems.length };
}

export const fulfillmentOrdersGenerator: EntityGenerator = {
  root: ROOT,
  *nodes(g, filter, args) {
    for (const i of rootIndexes(g, 'orders', () => true)) {
      for (const fo of fulfillmentOrdersOf(g, i)) {
        if (fo.closed && args['includeClosed'] !== true) continue;
        if (filter.matches({ updated_at: fo.updated, created_at: fo.created, id: Number(String(fo.record['id']).split('/').pop()) })) yield fo.record;
      }
    }
  },
  truth(g, window) {
    const tally = new Tally(['fulfillment_orders', 'fulfillment_order_line_items']);
    for (const i of rootIndexes(g, 'orders', () => true)) {
      for (const fo of fulfillmentOrdersOf(g, i)) {
        if (!inWindow(window, fo.updated)) continue;
        tally.add('fulfillment_orders');
        tally.add('fulfillment_order_line_items', fo.lineItems);
      }
    }
    return tally.counts;
  },
};
