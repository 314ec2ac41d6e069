// What every generator needs: the seed, the seeded sizes, the timeline, and the overlay of changes
// made by mutate() and remove() (touched updatedAt, added roots, deleted records and the destroy events
// they left). Base records are pure functions of (seed, index); the overlay is the only state, and
// stays small.
import { hash32, rngFor, Streams } from './prng.ts';
import { DAY, type Timeline } from './time.ts';

/** Seeded records per mutable root (by its root field), plus the fixed counts of the snapshot entities. */
export interface StoreSize {
  orders: number;
  products: number;
  customers: number;
  locations: number;
  collections: number;
  /** B2B companies (served on Shopify Plus only). */
  companies: number;
  /** Online store blogs (articles, a mutable root, are spread over them). */
  blogs: number;
  /** Marketing events reported by the shop's marketing apps. */
  marketingEvents: number;
  /** Any other mutable generator's root (generators.ts). */
  [root: string]: number;
}

export interface RootTimes {
  created: number;
  /** updatedAt before any mutate(): child timestamps derive from it, so touching a root changes only its own updatedAt. */
  baseUpdated: number;
  updated: number;
}

/** A destroy event as Shopify's events log keeps it (events.ts serves them). */
export interface DestroyEvent {
  /** Ordinal: its id is numericId(EventBase, ordinal). */
  ordinal: number;
  /** EventSubjectType (PRODUCT, CUSTOMER, …). */
  subjectType: string;
  subjectId: string;
  /** Epoch seconds. */
  at: number;
}

export interface ShopFeatures {
  shopifyPlus: boolean;
  shopifyPayments: boolean;
  /** The shop's IANA time zone (Shop.ianaTimezone): the day a report puts an order in. */
  timeZone: string;
}

/** Per mutable root: the updatedAt of touched records, the times records were added at, and the deleted ones. */
export class Overlay {
  private readonly touchedAt = new Map<string, Map<number, number>>();
  private readonly addedAt = new Map<string, number[]>();
  /** Deleted records by root (collections, product variants as `productVariants` keyed p * MAX_VARIANTS + v, …). */
  private readonly deletedAt = new Map<string, Set<number>>();
  readonly events: DestroyEvent[] = [];

  isDeleted(root: string, index: number): boolean {
    return this.deletedAt.get(root)?.has(index) ?? false;
  }

  /** Undoes remove(): the record is back as it was. */
  restore(root: string, index: number): void {
    this.deletedAt.get(root)?.delete(index);
  }

  remove(root: string, index: number): void {
    let deleted = this.deletedAt.get(root);
    if (!deleted) this.deletedAt.set(root, (deleted = new Set()));
    deleted.add(index);
  }

  /** Metafields edited (Store.editMetafields), by GID: their new value and updatedAt (epoch seconds); their owner is not touched. */
  readonly metafieldEdits = new Map<string, { value: string; at: number }>();
  /** Metafields deleted (Store.removeMetafields), by GID; their owner is not touched. */
  readonly deletedMetafields = new Set<string>();

  /** Orders edited to drop their last line item (editOrders), by index: when (epoch seconds). */
  readonly editedOrders = new Map<number, number>();
  /** Orders whose total is reported off by some cents (skewOrderTotals), by index. */
  readonly skewedTotals = new Map<number, number>();
  /** Orders with a tip, duties and an additional fee (chargeOrders), by index: whether their prices include the duties. */
  readonly chargedOrders = new Map<number, { dutiesIncluded: boolean }>();

  added(root: string): readonly number[] {
    return this.addedAt.get(root) ?? [];
  }

  touched(root: string, index: number): number | undefined {
    return this.touchedAt.get(root)?.get(index);
  }

  touch(root: string, index: number, at: number): void {
    let touched = this.touchedAt.get(root);
    if (!touched) this.touchedAt.set(root, (touched = new Map()));
    touched.set(index, at);
  }

  add(root: string, at: number): void {
    let added = this.addedAt.get(root);
    if (!added) this.addedAt.set(root, (added = []));
    added.push(at);
  }
}

export class StoreContext {
  readonly seed: number;
  readonly size: Readonly<StoreSize>;
  readonly timeline: Timeline;
  readonly shopDomain: string;
  readonly shopCurrency = 'USD';
  readonly overlay = new Overlay();

  /** What the shop has beyond its data: Shopify Plus (gift cards exist) and a Shopify Payments account (disputes, payouts). */
  readonly features: Readonly<ShopFeatures>;

  constructor(seed: number, size: StoreSize, timeline: Timeline, shopDomain: string, features: ShopFeatures = { shopifyPlus: true, shopifyPayments: true, timeZone: 'Etc/UTC' }) {
    this.seed = seed;
    this.size = size;
    this.timeline = timeline;
    this.shopDomain = shopDomain;
    this.features = features;
  }

  /** Records of a mutable root: the seeded ones plus those mutate() added (indexes continue after the seeded). */
  count(root: string): number {
    return (this.size[root] ?? 0) + this.overlay.added(root).length;
  }

  rootTimes(entity: string, index: number): RootTimes {
    const base = this.size[entity] ?? 0;
    const addedAt = index >= base ? this.overlay.added(entity)[index - base] : undefined;
    let created: number;
    let baseUpdated: number;
    if (addedAt !== undefined) {
      created = addedAt;
      baseUpdated = addedAt;
    } else {
      const { start, end } = this.timeline;
      const rng = rngFor(this.seed, Streams.rootTimes, index, hash32(entity.length, entity.charCodeAt(0)));
      // Spread evenly by index (ids grow with createdAt), then most records change soon after creation.
      created = start + Math.floor(((index + rng.float()) * (end - start - 1)) / base);
      const bucket = rng.weighted([45, 35, 20]);
      const delay = bucket === 0 ? rng.int(600) : bucket === 1 ? rng.int(3 * DAY) : rng.int(60 * DAY);
      baseUpdated = Math.min(created + delay, end - 1);
    }
    return { created, baseUpdated, updated: this.overlay.touched(entity, index) ?? baseUpdated };
  }
}
