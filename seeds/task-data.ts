/**
 * Deterministic synthetic data for the object-detection, regression and outliers families:
 * the committed demo requests (seeds/tasks.ts) and the benchmark (bench/tasks.bench.ts).
 * Each generator plants known label errors and returns their indices.
 */

import { mulberry32 as rng } from './synthetic.js';

const round1 = (x: number): number => Math.round(x * 10) / 10;

export interface OdDemo {
  labels: { bboxes: number[][]; labels: number[] }[];
  predictions: number[][][][];
  /** images with a planted error: swapped class, missing box, or shifted box */
  injected: { image: number; kind: 'swap' | 'overlooked' | 'badloc' }[];
}

/**
 * `n` images of ~`boxes` objects of `k` classes; the model predicts every true object
 * (confidence 0.955–0.999, box jittered by ~2 px) plus a few low-confidence spurious boxes.
 * Every `every`-th image gets one planted label error (cycling swap / overlooked / badloc).
 */
export function objectDetectionData(n: number, k: number, boxes: number, seed: number, every = 5): OdDemo {
  const r = rng(seed);
  const labels: OdDemo['labels'] = [];
  const predictions: OdDemo['predictions'] = [];
  const injected: OdDemo['injected'] = [];
  for (let i = 0; i < n; i++) {
    const m = Math.max(1, Math.round(boxes * (0.5 + r())));
    const truth: { box: number[]; cls: number }[] = [];
    for (let j = 0; j < m; j++) {
      const w = 20 + r() * 60;
      const h = 20 + r() * 60;
      const x = r() * 400;
      const y = r() * 300;
      truth.push({ box: [round1(x), round1(y), round1(x + w), round1(y + h)], cls: Math.floor(r() * k) });
    }
    const pred: number[][][] = Array.from({ length: k }, () => []);
    for (const o of truth) {
      const jit = o.box.map((v) => round1(v + (r() - 0.5) * 4));
      if (jit[2]! < jit[0]!) jit[2] = jit[0]!;
      if (jit[3]! < jit[1]!) jit[3] = jit[1]!;
      pred[o.cls]!.push([...jit, Math.round((0.955 + r() * 0.044) * 1000) / 1000]);
    }
    for (let s = 0; s < 2; s++) {
      const x = r() * 400;
      const y = r() * 300;
      pred[Math.floor(r() * k)]!.push([round1(x), round1(y), round1(x + 30), round1(y + 30), Math.round(r() * 300) / 1000]);
    }
    const given = truth.map((o) => ({ box: [...o.box], cls: o.cls }));
    if (i % every === every - 1) {
      const kind = (['swap', 'overlooked', 'badloc'] as const)[Math.floor(i / every) % 3]!;
      if (kind === 'swap') given[0]!.cls = (given[0]!.cls + 1) % k;
      else if (kind === 'overlooked') given.shift();
      else given[0]!.box = given[0]!.box.map((v, c) => round1(v + (c % 2 === 0 ? 25 : 18)));
      injected.push({ image: i, kind });
    }
    labels.push({ bboxes: given.map((g) => g.box), labels: given.map((g) => g.cls) });
    predictions.push(pred);
  }
  return { labels, predictions, injected };
}

/** y = f(x) + noise, predictions = f(x) + smaller noise; every `every`-th label off by ±(4–8). */
export function regressionData(n: number, seed: number, every = 25): { labels: number[]; predictions: number[]; injected: number[] } {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const labels: number[] = [];
  const predictions: number[] = [];
  const injected: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = r() * 10;
    const f = 3 + 2 * Math.sin(x) + 0.5 * x;
    let y = f + 0.3 * gauss();
    if (i % every === every - 1) {
      y += (r() < 0.5 ? -1 : 1) * (4 + 4 * r());
      injected.push(i);
    }
    labels.push(Math.round(y * 1000) / 1000);
    predictions.push(Math.round((f + 0.15 * gauss()) * 1000) / 1000);
  }
  return { labels, predictions, injected };
}

/** `n` points of `d` features around 4 centres; every `every`-th point far from all of them. */
export function featureData(n: number, d: number, seed: number, every = 30): { features: Float64Array; injected: number[] } {
  const r = rng(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: d }, () => r() * 10));
  const features = new Float64Array(n * d);
  const injected: number[] = [];
  for (let i = 0; i < n; i++) {
    const far = i % every === every - 1;
    if (far) injected.push(i);
    const c = centres[i % 4]!;
    for (let j = 0; j < d; j++) features[i * d + j] = far ? (r() - 0.5) * 60 : c[j]! + (r() - 0.5) * 2;
  }
  return { features, injected };
}
