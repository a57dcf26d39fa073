/**
 * Deterministic synthetic data for the task families beyond multiclass (token
 * classification, semantic segmentation) with injected label errors at known places: the
 * demo datasets of seeds/, the API tests and `npm run bench:tasks` share them.
 */
import { mulberry32 } from './synthetic.js';

export interface TokenDataset {
  /** tokens per sentence */
  sentenceLengths: Int32Array;
  /** given label of every token, sentences concatenated */
  labels: Int32Array;
  trueLabels: Int32Array;
  /** T×K row-major */
  predProbs: Float32Array | Float64Array;
  k: number;
  /** the words (omitted for large benchmark sets) */
  tokens: string[][] | null;
  /** flat indices of the tokens whose given label was flipped */
  injected: Int32Array;
}

const WORDS: Record<number, string[]> = {
  0: ['the', 'a', 'in', 'met', 'said', 'on', 'with', 'and', 'of', 'game', 'city', 'team'],
  1: ['Alice', 'Chen', 'Garcia', 'Müller', 'Tanaka', 'Ahmed', 'Peter'],
  2: ['Paris', 'Berlin', 'Nile', 'Tokyo', 'Lagos', 'Lima'],
  3: ['Reuters', 'Siemens', 'Toyota', 'UN', 'Boeing', 'Amazon'],
  4: ['Nobel', 'English', 'Marathon', 'Olympics', 'Euro'],
};

/** One row of K probabilities peaked on `cls` (confidence in [lo, hi]), rounded to `decimals`. */
function peakedRow(rand: () => number, k: number, cls: number, lo: number, hi: number, out: Float32Array | Float64Array, o: number, decimals?: number): void {
  const top = lo + (hi - lo) * rand();
  let rest = 0;
  for (let c = 0; c < k; c++) {
    const v = c === cls ? 0 : rand() + 0.05;
    out[o + c] = v;
    rest += v;
  }
  const scale = decimals === undefined ? 1 : 10 ** decimals;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    if (c === cls) continue;
    const v = Math.round(((out[o + c]! / rest) * (1 - top)) * scale) / scale;
    out[o + c] = v;
    sum += v;
  }
  out[o + cls] = decimals === undefined ? 1 - sum : Math.round((1 - sum) * scale) / scale;
}

/**
 * `sentences` sentences of 1–maxLength tokens, K classes (class 0 = "O", 75% of tokens); the
 * model is right with confidence 0.55–0.99 on most tokens; `noiseRate` of the given labels
 * flipped to another class.
 */
export function makeTokenDataset(opts: {
  sentences: number;
  k: number;
  maxLength?: number;
  noiseRate?: number;
  seed?: number;
  dtype?: 'float32' | 'float64';
  decimals?: number;
  withTokens?: boolean;
}): TokenDataset {
  const rand = mulberry32(opts.seed ?? 1);
  const { sentences, k } = opts;
  const maxLength = opts.maxLength ?? 30;
  const lengths = new Int32Array(sentences);
  let t = 0;
  for (let i = 0; i < sentences; i++) {
    lengths[i] = 1 + Math.floor(rand() * maxLength);
    t += lengths[i]!;
  }
  const trueLabels = new Int32Array(t);
  for (let f = 0; f < t; f++) trueLabels[f] = rand() < 0.75 ? 0 : 1 + Math.floor(rand() * (k - 1));
  const pp = opts.dtype === 'float32' ? new Float32Array(t * k) : new Float64Array(t * k);
  for (let f = 0; f < t; f++) {
    // 8% of tokens: the model is unsure and leans to a neighbouring class
    const cls = rand() < 0.08 ? (trueLabels[f]! + 1) % k : trueLabels[f]!;
    peakedRow(rand, k, cls, 0.55, 0.99, pp, f * k, opts.decimals);
  }
  const labels = Int32Array.from(trueLabels);
  const injected: number[] = [];
  for (let f = 0; f < t; f++) {
    if (rand() < (opts.noiseRate ?? 0.05)) {
      labels[f] = (trueLabels[f]! + 1 + Math.floor(rand() * (k - 1))) % k;
      injected.push(f);
    }
  }
  let tokens: string[][] | null = null;
  if (opts.withTokens) {
    tokens = [];
    let f = 0;
    for (let i = 0; i < sentences; i++) {
      const words: string[] = [];
      for (let j = 0; j < lengths[i]!; j++, f++) {
        const list = WORDS[trueLabels[f]! % 5]!;
        words.push(list[Math.floor(rand() * list.length)]!);
      }
      tokens.push(words);
    }
  }
  return { sentenceLengths: lengths, labels, trueLabels, predProbs: pp, k, tokens, injected: Int32Array.from(injected) };
}

export interface SegmentationDataset {
  n: number;
  k: number;
  h: number;
  w: number;
  /** N·H·W given classes */
  labels: Uint8Array;
  trueLabels: Uint8Array;
  /** N·K·H·W, class axis second */
  predProbs: Float32Array | Float64Array;
  /** images with an injected error: one object relabelled to another class */
  injectedImages: Int32Array;
}

/**
 * N images of H×W: background (class 0) with 1–3 rectangles of classes 1..K−1; the model
 * is right with confidence 0.6–0.98 per pixel (0.4–0.6 on object borders); in
 * `errorRate` of the images one rectangle is given the wrong class.
 */
export function makeSegmentationDataset(opts: {
  n: number;
  k: number;
  h: number;
  w: number;
  errorRate?: number;
  seed?: number;
  dtype?: 'float32' | 'float64';
  decimals?: number;
}): SegmentationDataset {
  const rand = mulberry32(opts.seed ?? 1);
  const { n, k, h, w } = opts;
  const hw = h * w;
  const trueLabels = new Uint8Array(n * hw);
  const labels = new Uint8Array(n * hw);
  const injected: number[] = [];
  for (let img = 0; img < n; img++) {
    const objects = 1 + Math.floor(rand() * 3);
    const wrong = rand() < (opts.errorRate ?? 0.3) ? Math.floor(rand() * objects) : -1;
    if (wrong >= 0) injected.push(img);
    for (let o = 0; o < objects; o++) {
      const cls = 1 + Math.floor(rand() * (k - 1));
      const given = o === wrong ? 1 + ((cls + Math.floor(rand() * (k - 2))) % (k - 1)) : cls;
      const y0 = Math.floor(rand() * h * 0.7);
      const x0 = Math.floor(rand() * w * 0.7);
      const y1 = Math.min(h, y0 + 2 + Math.floor(rand() * h * 0.4));
      const x1 = Math.min(w, x0 + 2 + Math.floor(rand() * w * 0.4));
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          trueLabels[img * hw + y * w + x] = cls;
          labels[img * hw + y * w + x] = given;
        }
      }
    }
  }
  const pp = opts.dtype === 'float32' ? new Float32Array(n * k * hw) : new Float64Array(n * k * hw);
  const row = new Float64Array(k);
  for (let img = 0; img < n; img++) {
    for (let p = 0; p < hw; p++) {
      const cls = trueLabels[img * hw + p]!;
      const x = p % w;
      const edge = x > 0 && trueLabels[img * hw + p - 1] !== cls;
      peakedRow(rand, k, cls, edge ? 0.4 : 0.6, edge ? 0.6 : 0.98, row, 0, opts.decimals);
      for (let c = 0; c < k; c++) pp[(img * k + c) * hw + p] = row[c]!;
    }
  }
  return { n, k, h, w, labels, trueLabels, predProbs: pp, injectedImages: Int32Array.from(injected) };
}
