// The soaks' seeded choices: the same seed picks the same faults, kills and changes every time.

/** Returns a whole number in [0, n). */
export type Pick = (n: number) => number;

/** mulberry32: small, seeded, good enough to pick faults reproducibly. */
export function prng(seed: number): Pick {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
