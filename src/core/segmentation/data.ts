/**
 * Semantic-segmentation inputs (spec task-types.md C1): labels N×H×W (class ids) and
 * pred_probs N×K×H×W — class axis second, as cleanlab takes them — both flat, row-major.
 * Image n's pixel (y, x) is pixel index y·W + x; P[n][k][y][x] = pp[((n·K + k)·H + y)·W + x].
 */
import { InputError } from '../errors.js';
import type { FloatArray } from '../types.js';

export interface SegmentationData {
  /** N·H·W class ids (any integer array type) */
  labels: ArrayLike<number>;
  /** N·K·H·W probabilities */
  pp: FloatArray;
  n: number;
  k: number;
  h: number;
  w: number;
}

/** cleanlab's batch_size rule (C1.1): None → 10000, ≤ 0 refused. */
export function resolveBatchSize(batchSize: number | null | undefined): number {
  const b = batchSize ?? 10000;
  if (!(b > 0)) throw new InputError('batch_size', `Batch size must be greater than 0, got ${b}`);
  return b;
}

/**
 * Build SegmentationData from flat arrays and their shapes, with cleanlab's shape checks in
 * its order (C1.2).
 */
export function segmentationData(
  labels: ArrayLike<number>,
  labelsShape: readonly number[],
  pp: FloatArray,
  ppShape: readonly number[],
): SegmentationData {
  if (labelsShape.length !== 3) throw new InputError('labels', 'labels must have a shape of (N, H, W)');
  if (ppShape.length !== 4) throw new InputError('pred_probs', 'pred_probs must have a shape of (N, K, H, W)');
  const [n, h, w] = labelsShape as [number, number, number];
  const [pn, k, ph, pw] = ppShape as [number, number, number, number];
  if (n !== pn || h !== ph || w !== pw) {
    throw new InputError('pred_probs', 'labels and pred_probs must have matching dimensions for N, H, and W');
  }
  if (labels.length !== n * h * w) throw new InputError('labels', `labels has ${labels.length} values, expected ${n}×${h}×${w}.`);
  if (pp.length !== n * k * h * w) throw new InputError('pred_probs', `pred_probs has ${pp.length} values, expected ${n}×${k}×${h}×${w}.`);
  return { labels, pp, n, k, h, w };
}

/** Shape of a nested array (lengths along its first `depth` axes), refusing ragged input. */
export function nestedShape(x: unknown, depth: number, field: string): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  for (let d = 0; d < depth && Array.isArray(cur); d++) {
    shape.push(cur.length);
    cur = cur[0];
  }
  const walk = (v: unknown, d: number, path: string): void => {
    if (d === shape.length) return;
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new InputError(field, `${path} has ${Array.isArray(v) ? v.length : 'no'} entries; expected ${shape[d]} (ragged array).`, { path });
    }
    v.forEach((c, i) => walk(c, d + 1, `${path}[${i}]`));
  };
  walk(x, 0, field);
  return shape;
}

/** SegmentationData from cleanlab-style nested arrays (labels[n][y][x], pred_probs[n][k][y][x]). */
export function segmentationDataFromNested(labels: unknown, predProbs: unknown): SegmentationData {
  const ls = nestedShape(labels, 3, 'labels');
  const ps = nestedShape(predProbs, 4, 'pred_probs');
  return segmentationData(Int32Array.from((labels as number[][][]).flat(2)), ls, Float64Array.from((predProbs as number[][][][]).flat(3)), ps);
}

/** Every label must be a class index of pred_probs (cleanlab would index out of range). */
export function assertSegmentationLabels(d: SegmentationData): void {
  const hw = d.h * d.w;
  for (let i = 0, e = d.n * hw; i < e; i++) {
    const y = d.labels[i]!;
    if (!(y >= 0 && y < d.k && Number.isInteger(y))) {
      const img = Math.floor(i / hw);
      const path = `labels[${img}][${Math.floor((i % hw) / d.w)}][${i % d.w}]`;
      throw new InputError('labels', `${path} = ${y} is not a class index in [0, ${d.k - 1}] (pred_probs has ${d.k} classes).`, { path });
    }
  }
}
