/**
 * Deterministic synthetic classification data with injected label errors, used by the
 * demo dataset, the README examples, tests and benchmarks.
 *
 * Each example has a true class; a simulated model produces out-of-sample probabilities
 * (softmax of noisy logits that favour the true class and leak towards a "confusable"
 * partner class); a fraction of the given labels is then flipped, preferably to the
 * partner class, as real annotators do. Everything derives from one seed (mulberry32).
 *
 * This module is also the one home of the seeded PRNGs (mulberry32, lcg32) and synthetic
 * data builders that tests and benchmarks share.
 */
export interface SyntheticOptions {
  n: number;
  k: number;
  /** Fraction of given labels flipped away from the true class. */
  noiseRate?: number;
  seed?: number;
  /** Logit margin of the true class: higher = more confident model. */
  signal?: number;
  /** float32 (benchmarks, .npy) or float64 (JSON, default). */
  dtype?: 'float32' | 'float64';
  /** Round probabilities to this many decimals (JSON-friendly); rows still sum to 1 within 1e-5. */
  decimals?: number;
}

export interface SyntheticDataset {
  n: number;
  k: number;
  labels: Int32Array;
  trueLabels: Int32Array;
  predProbs: Float32Array | Float64Array;
  /** Indices whose given label was flipped, increasing. */
  injected: Int32Array;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit linear congruential generator (Numerical Recipes constants), uniform in [0, 1). */
export function lcg32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a uniform source. */
export function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** The confusable partner of class c: classes are paired (0↔1, 2↔3, …). */
export function partnerClass(c: number, k: number): number {
  const p = c ^ 1;
  return p < k ? p : (c + 1) % k;
}

export function makeSyntheticDataset(opts: SyntheticOptions): SyntheticDataset {
  const { n, k } = opts;
  const noiseRate = opts.noiseRate ?? 0.05;
  const signal = opts.signal ?? 3.5;
  const rand = mulberry32(opts.seed ?? 42);
  const normal = gaussian(rand);
  const predProbs = opts.dtype === 'float32' ? new Float32Array(n * k) : new Float64Array(n * k);
  const labels = new Int32Array(n);
  const trueLabels = new Int32Array(n);
  const injected: number[] = [];
  const logits = new Float64Array(k);
  const scale = opts.decimals !== undefined ? 10 ** opts.decimals : 0;

  for (let i = 0; i < n; i++) {
    const y = Math.floor(rand() * k);
    trueLabels[i] = y;
    const partner = partnerClass(y, k);
    // A hard example now and then: the model leans towards the partner class.
    const hard = rand() < 0.08;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      let z = normal();
      if (j === y) z += hard ? signal * 0.45 : signal;
      else if (j === partner) z += hard ? signal * 0.55 : signal * 0.35;
      logits[j] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      logits[j] = Math.exp(logits[j]! - max);
      sum += logits[j]!;
    }
    const off = i * k;
    if (scale > 0) {
      // Round, then give the rounding remainder to the largest entry so the row sums to 1.
      let rounded = 0;
      let top = 0;
      for (let j = 0; j < k; j++) {
        const v = Math.round((logits[j]! / sum) * scale) / scale;
        predProbs[off + j] = v;
        rounded += v;
        if (v > predProbs[off + top]!) top = j;
      }
      predProbs[off + top] = Math.round((predProbs[off + top]! + (1 - rounded)) * scale) / scale;
    } else {
      for (let j = 0; j < k; j++) predProbs[off + j] = logits[j]! / sum;
    }
    let s = y;
    if (rand() < noiseRate) {
      s = rand() < 0.7 ? partner : (y + 1 + Math.floor(rand() * (k - 1))) % k;
      injected.push(i);
    }
    labels[i] = s;
  }
  return { n, k, labels, trueLabels, predProbs, injected: Int32Array.from(injected) };
}

export interface PeakedDataset {
  n: number;
  k: number;
  labels: Int32Array;
  /** Row-major N×K, rows sum to 1. */
  predProbs: Float64Array | Float32Array;
}

/**
 * A simpler classification set (no logits): a true class per example, probabilities peaked
 * on it (20% of the time on its neighbour class instead), and a share `noise` (default
 * 0.15) of the given labels redrawn uniformly. Used by the API tests and the HTTP bench.
 */
export function makePeakedDataset(n: number, k: number, seed = 1, opts: { noise?: number; float32?: boolean } = {}): PeakedDataset {
  const r = mulberry32(seed);
  const noise = opts.noise ?? 0.15;
  const predProbs = opts.float32 ? new Float32Array(n * k) : new Float64Array(n * k);
  const labels = new Int32Array(n);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const truth = Math.floor(r() * k);
    const peak = r() < 0.8 ? truth : (truth + 1) % k;
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = (j === peak ? 2 + 6 * r() : 0) + r() * 0.8 + 1e-3;
      row[j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) predProbs[i * k + j] = row[j]! / s;
    labels[i] = r() < noise ? Math.floor(r() * k) : truth;
  }
  return { n, k, labels, predProbs };
}
