/**
 * Seeded synthetic data for the model tests: isotropic Gaussian blobs (one per class) and
 * label flipping. Not a test file itself (no `.test.ts`).
 */
import { mulberry32, shuffleInPlace, type Rng } from '../../models/random.js';

function gaussian(rng: Rng): number {
  // Box–Muller; 1 - u keeps the log argument in (0, 1]
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface Blobs {
  data: Float32Array;
  n: number;
  d: number;
  k: number;
  labels: Int32Array;
  /** class centres (k×d), column offsets and scales used to generate the rows */
  centres: Float64Array;
  offset: Float64Array;
  scale: Float64Array;
}

/**
 * The Bayes-optimal class of row i (equal priors, shared covariance): the nearest centre
 * after undoing the column offset/scale. A linear model can match it, not beat it (in
 * expectation).
 */
export function bayesClass(b: Blobs, i: number): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < b.k; c++) {
    let dist = 0;
    for (let j = 0; j < b.d; j++) {
      const z = (b.data[i * b.d + j]! - b.offset[j]!) / b.scale[j]! - b.centres[c * b.d + j]!;
      dist += z * z;
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

/**
 * n rows (classes in turn: row i has class i mod k), d features; class centres are drawn
 * N(0, spread²) per coordinate, rows are centre + N(0, 1) noise. Features get a per-column
 * offset and scale so standardisation matters.
 */
export function makeBlobs(n: number, d: number, k: number, spread: number, seed: number): Blobs {
  const rng = mulberry32(seed);
  const centres = new Float64Array(k * d);
  for (let p = 0; p < k * d; p++) centres[p] = spread * gaussian(rng);
  const offset = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    offset[j] = 10 * gaussian(rng);
    scale[j] = Math.exp(gaussian(rng));
  }
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = offset[j]! + scale[j]! * (centres[c * d + j]! + gaussian(rng));
  }
  return { data, n, d, k, labels, centres, offset, scale };
}

/** Flip exactly round(frac·n) labels, each to a different class chosen uniformly. */
export function flipLabels(labels: Int32Array, k: number, frac: number, seed: number): { noisy: Int32Array; flipped: Int32Array } {
  const n = labels.length;
  const rng = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, rng);
  const m = Math.round(frac * n);
  const flipped = Int32Array.from(order.subarray(0, m)).sort();
  const noisy = Int32Array.from(labels);
  for (const i of flipped) noisy[i] = (labels[i]! + 1 + Math.floor(rng() * (k - 1))) % k;
  return { noisy, flipped };
}
