// What every generator needs: the seed, the seeded sizes, the timeline, and the overlay of changes
// made by mutate() (touched updatedAt, added roots). Base records are pure functions of (seed, index);
// the overlay is the only state, and stays small.
import { hash32, rngFor, Streams } from './prng.ts';
import { DAY, type Timeline } from './time.ts';

export interface StoreSize {
  orders: number;
  products: number;
  customers: number;
  locations: number;
  collections: number;
}

export type RootEntity = 'orders' | 'products' | 'customers';
export const ROOT_ENTITIES: readonly RootEntity[] = ['orders', 'products', 'customers'];

export interface RootTimes {
  created: number;
  /** updatedAt before any mutate(): child timestamps derive from it, so touching a root changes only its own updatedAt. */
  baseUpdated: number;
  updated: number;
}

export class Overlay {
  private readonly touchedAt: Record<RootEntity, Map<number, number>> = { orders: new Map(), products: new Map(), customers: new Map() };
  private readonly addedAt: Record<RootEntity, number[]> = { orders: [], products: [], customers: [] };

  added(entity: RootEntity): readonly number[] {
    return this.addedAt[entity];
  }

  touched(entity: RootEntity, index: number): number | undefined {
    return this.touchedAt[entity].get(index);
  }

  touch(entity: RootEntity, index: number, at: number): void {
    this.touchedAt[entity].set(index, at);
  }

  add(entity: RootEntity, at: number): void {
    this.addedAt[entity].push(at);
  }
}

export class StoreContext {
  readonly seed: number;
  readonly size: Readonly<StoreSize>;
  readonly timeline: Timeline;
  readonly shopDomain: string;
  readonly shopCurrency = 'USD';
  readonly overlay = new Overlay();

  constructor(seed: number, size: StoreSize, timeline: Timeline, shopDomain: string) {
    this.seed = seed;
    this.size = size;
    this.timeline = timeline;
    this.shopDomain = shopDomain;
  }

  /** Roots of an entity: the seeded ones plus those mutate() added (indexes continue after the seeded). */
  count(entity: RootEntity): number {
    return this.size[entity] + this.overlay.added(entity).length;
  }

  rootTimes(entity: RootEntity, index: number): RootTimes {
    const base = this.size[entity];
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
