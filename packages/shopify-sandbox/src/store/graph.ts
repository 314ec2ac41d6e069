// The store as a graph of lazily built records: every cross-reference (line item → variant, order →
// customer, level → location, ...) goes through here, so each module builds only its own records.
// Memory stays bounded: the only cache is a small LRU of product cores, which line items hit hard.
import { collectionHasProduct, collectionRecord } from './collections.ts';
import type { StoreContext } from './context.ts';
import { customerCore, customerRecord, type CustomerCore } from './customers.ts';
import { inventoryItemRecord, inventoryLevelRecord, levelLocations, levelQuantities } from './inventory.ts';
import { isActiveLocation, locationRecord } from './locations.ts';
import type { Rec } from './model.ts';
import { buildOrder, type BuiltOrder } from './orders.ts';
import { hash32, Streams } from './prng.ts';
import { productCore, productRecord, variantExists, variantRecord, type ProductCore } from './products.ts';

const PRODUCT_CACHE_SIZE = 2048;

export class StoreGraph {
  readonly ctx: StoreContext;
  private readonly productCache = new Map<number, ProductCore>();
  private readonly active: number[];
  /** Orders go to customers by an affine map i → (i·a + b) mod C, which can be inverted per customer. */
  private readonly affine: { a: number; b: number; inverse: number } | null;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
    this.active = Array.from({ length: ctx.size.locations }, (_, l) => l).filter(isActiveLocation);
    this.affine = customerMap(ctx.seed, ctx.size.customers);
  }

  productCore(p: number): ProductCore {
    let core = this.productCache.get(p);
    if (core) {
      // Re-insert to keep the Map in least-recently-used order.
      this.productCache.delete(p);
    } else {
      core = productCore(this.ctx, p);
      if (this.productCache.size >= PRODUCT_CACHE_SIZE) {
        const oldest = this.productCache.keys().next();
        if (!oldest.done) this.productCache.delete(oldest.value);
      }
    }
    this.productCache.set(p, core);
    return core;
  }

  product(p: number): Rec {
    return productRecord(this, p);
  }

  variant(p: number, v: number): Rec {
    return variantRecord(this, p, v);
  }

  inventoryItem(p: number, v: number): Rec {
    return inventoryItemRecord(this, p, v);
  }

  /** Sum of `available` over the item's levels: the variant's inventoryQuantity. */
  availableQuantity(p: number, v: number): number {
    return levelLocations(this, p, v).reduce((sum, l) => sum + levelQuantities(this, p, v, l).available, 0);
  }

  activeLocations(): readonly number[] {
    return this.active;
  }

  location(l: number): Rec {
    return locationRecord(this, l);
  }

  *levelsAtLocation(l: number): Generator<Rec> {
    if (!isActiveLocation(l)) return;
    const products = this.ctx.count('products');
    for (let p = 0; p < products; p++) {
      const variants = this.productCore(p).variants.length;
      for (let v = 0; v < variants; v++) if (variantExists(this.ctx, p, v) && levelLocations(this, p, v).includes(l)) yield inventoryLevelRecord(this, p, v, l);
    }
  }

  customerCore(c: number): CustomerCore {
    return customerCore(this.ctx, c);
  }

  customer(c: number): Rec {
    return customerRecord(this, c);
  }

  /** The customer of order i, or null for a guest checkout (about one in sixteen). */
  orderCustomer(i: number): number | null {
    if (!this.affine || isGuestOrder(this.ctx.seed, i)) return null;
    return (i * this.affine.a + this.affine.b) % this.ctx.size.customers;
  }

  /** Indexes of customer c's orders, ascending (inverts orderCustomer without scanning every order). */
  ordersOfCustomer(c: number): number[] {
    const customers = this.ctx.size.customers;
    if (!this.affine || c >= customers) return [];
    const first = mod((c - this.affine.b) * this.affine.inverse, customers);
    const orders: number[] = [];
    const total = this.ctx.count('orders');
    for (let i = first; i < total; i += customers) if (!isGuestOrder(this.ctx.seed, i)) orders.push(i);
    return orders;
  }

  buildOrder(i: number): BuiltOrder {
    return buildOrder(this, i);
  }

  order(i: number): Rec {
    return buildOrder(this, i).record;
  }

  orderSpend(i: number): number {
    return buildOrder(this, i).spendCents;
  }

  collection(k: number): Rec {
    return collectionRecord(this, k);
  }

  collectionsOfProduct(p: number): Rec[] {
    const collections: Rec[] = [];
    for (let k = 0; k < this.ctx.size.collections; k++) if (!this.ctx.overlay.isDeleted('collections', k) && collectionHasProduct(this, k, p)) collections.push(this.collection(k));
    return collections;
  }
}

function isGuestOrder(seed: number, i: number): boolean {
  return hash32(seed, Streams.orderCustomer, i) % 16 === 0;
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function customerMap(seed: number, customers: number): { a: number; b: number; inverse: number } | null {
  if (customers <= 0) return null;
  // A multiplier coprime to the customer count makes the map a permutation of each block of C orders.
  let a = 7919 % customers || 1;
  while (gcd(a, customers) !== 1) a++;
  return { a, b: hash32(seed, Streams.orderCustomer) % customers, inverse: modInverse(a, customers) };
}

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}

function modInverse(a: number, m: number): number {
  if (m === 1) return 0;
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}
