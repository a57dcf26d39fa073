/**
 * Seeded pseudo-randomness for the models: a 32-bit PRNG (mulberry32) and a Fisher–Yates
 * shuffle driven by it. Same seed → same stream on every platform (integer arithmetic via
 * Math.imul only), so fold assignment and mini-batch order are reproducible.
 */

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: small, fast, good enough for shuffling; `seed` is taken modulo 2^32. */
export function mulberry32(seed: number): Rng {
  let a = (Math.trunc(seed) >>> 0) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derive an independent-looking child seed from a seed and a stream number. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (Math.trunc(seed) >>> 0) ^ Math.imul((stream + 1) >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** In-place Fisher–Yates shuffle of `a[start, end)`. */
export function shuffleInPlace(a: Int32Array, rng: Rng, start = 0, end = a.length): Int32Array {
  for (let i = end - 1; i > start; i--) {
    const j = start + Math.floor(rng() * (i - start + 1));
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
  return a;
}
