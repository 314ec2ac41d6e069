// Deterministic randomness keyed by (seed, stream, index): any record can be generated on its own, in
// any order, without generating the records before it. That is what keeps a 300k-order store in
// bounded memory and makes the same seed give byte-identical files.

/** Mixes 32-bit integers into one well-spread 32-bit hash (murmur3's finaliser over a running state). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Fold in both halves so indexes and ids above 2^32 still change the hash.
    h = mix(h ^ (part >>> 0));
    h = mix(h ^ Math.floor(part / 0x1_0000_0000));
  }
  return h;
}

function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: small, fast, and good enough for test data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('Rng.pick from an empty list');
    return item;
  }

  /** Picks an index by relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Up to `max` distinct items, in their original order. */
  some<T>(items: readonly T[], max: number): T[] {
    const n = this.int(Math.min(max, items.length) + 1);
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(this.int(items.length));
    return items.filter((_, i) => chosen.has(i));
  }
}

/** Streams keep the draws of different record kinds independent of each other. */
export const Streams = {
  order: 1,
  orderCustomer: 2,
  product: 3,
  variant: 4,
  media: 5,
  metafield: 6,
  customer: 7,
  inventoryItem: 8,
  inventoryLevel: 9,
  location: 10,
  collection: 11,
  collectionMember: 12,
  rootTimes: 13,
  mutation: 14,
  ordering: 15,
  ids: 16,
  afterSale: 17,
  ownerMetafield: 18,
} as const;

export function rngFor(seed: number, stream: number, index: number, sub = 0): Rng {
  return new Rng(hash32(seed, stream, index, sub));
}
