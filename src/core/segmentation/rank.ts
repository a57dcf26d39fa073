/**
 * cleanlab `segmentation.rank` (spec task-types.md C2, C3): per-pixel scores P[label],
 * pooled per image by a softmin (N1 softmax + N2 EINSUM order), or 1 − the share of
 * flagged pixels (`num_pixel_issues`).
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { einsumRowDot, softmax } from '../float-kernels.js';
import { assertSegmentationLabels, resolveBatchSize, type SegmentationData } from './data.js';
import { findLabelIssues } from './filter.js';

export type SegmentationScoreMethod = 'softmin' | 'num_pixel_issues';

export interface SegmentationScoreOptions {
  method?: string;
  /** softmin temperature (default 0.1; 0 refused, negative acts like 1e-6) */
  temperature?: number | null;
  /** used by num_pixel_issues only (softmin warns) */
  downsample?: number;
  batchSize?: number | null;
  /** also return the N·H·W pixel scores (default true) */
  includePixelScores?: boolean;
  tieOrder?: TieOrder;
  warnings?: string[];
}

export interface SegmentationScores {
  imageScores: Float64Array;
  /** N·H·W, P[n][label][y][x]; null when not requested */
  pixelScores: Float64Array | null;
}

export const SOFTMIN_DOWNSAMPLE_WARNING = 'image will not downsample for method softmin is only for method: num_pixel_issues';

/** Pixel scores of image `img` into out[o .. o + H·W). */
function imagePixelScores(d: SegmentationData, img: number, out: Float64Array, o: number): void {
  const hw = d.h * d.w;
  const lb = img * hw;
  const pb = img * d.k * hw;
  for (let p = 0; p < hw; p++) out[o + p] = d.pp[pb + d.labels[lb + p]! * hw + p]!;
}

/**
 * cleanlab `segmentation.rank.get_label_quality_scores(labels, pred_probs, method=…,
 * batch_size=…, temperature=…, downsample=…)` → (image_scores, pixel_scores).
 */
export function getLabelQualityScores(d: SegmentationData, opts: SegmentationScoreOptions = {}): SegmentationScores {
  const batchSize = resolveBatchSize(opts.batchSize);
  const method = opts.method ?? 'softmin';
  const f = opts.downsample ?? 1;
  const hw = d.h * d.w;
  const wantPixels = opts.includePixelScores ?? true;
  const pixelScores = wantPixels ? new Float64Array(d.n * hw) : null;
  const imageScores = new Float64Array(d.n);
  assertSegmentationLabels(d);
  if (method === 'softmin') {
    if (f !== 1) opts.warnings?.push(SOFTMIN_DOWNSAMPLE_WARNING);
    const t = opts.temperature === undefined ? 0.1 : opts.temperature;
    const s = pixelScores ? null : new Float64Array(hw);
    const wts = new Float64Array(hw);
    for (let img = 0; img < d.n; img++) {
      if (hw === 0) throw new InputError('pred_probs', 'Invalid Input: pixel_scores cannot be None or an empty list');
      if (t === 0 || t === null) throw new InputError('temperature', 'Invalid Input: temperature cannot be zero or None');
      const buf = pixelScores ?? s!;
      const o = pixelScores ? img * hw : 0;
      imagePixelScores(d, img, buf, o);
      softmax(buf, t, wts, o, hw, (v) => 1 - v);
      imageScores[img] = einsumRowDot(buf, o, wts, 0, hw);
    }
    return { imageScores, pixelScores };
  }
  if (method === 'num_pixel_issues') {
    const mask = findLabelIssues(d, { downsample: f, batchSize, tieOrder: opts.tieOrder ?? 'stable' });
    for (let img = 0; img < d.n; img++) {
      let c = 0;
      for (let p = img * hw, e = p + hw; p < e; p++) c += mask[p]!;
      imageScores[img] = 1 - c / hw;
      if (pixelScores) imagePixelScores(d, img, pixelScores, img * hw);
    }
    return { imageScores, pixelScores };
  }
  if (d.n > 0) throw new InputError('method', "Invalid Method: Specify correct method. Currently only supports 'softmin'");
  return { imageScores, pixelScores };
}

/** cleanlab's threshold checks of `issues_from_scores` (C3.1). */
function assertThreshold(threshold: number | null): asserts threshold is number {
  if (threshold === null || typeof threshold !== 'number' || threshold !== threshold) {
    throw new InputError('threshold', 'threshold must be a number between 0 and 1');
  }
  if (threshold < 0 || threshold > 1) throw new InputError('threshold', 'threshold must be between 0 and 1');
}

/**
 * cleanlab `segmentation.rank.issues_from_scores(image_scores, threshold=…)` without
 * pixel scores (sort site C1): the images below the threshold, lowest first, plus one more.
 */
export function imageIssuesFromScores(imageScores: ArrayLike<number> | null, threshold: number | null = 0.1, tieOrder: TieOrder = 'stable'): Int32Array {
  if (imageScores === null) throw new InputError('image_scores', 'pixel_scores must be provided');
  assertThreshold(threshold);
  const ord = argsortBy(imageScores, tieOrder);
  let c = 0;
  while (c < ord.length && imageScores[ord[c]!]! < threshold) c++;
  return ord.slice(0, Math.min(c + 1, ord.length));
}

/** With pixel scores (C3.2): the mask pixel_scores < threshold. */
export function pixelIssuesFromScores(pixelScores: ArrayLike<number>, threshold: number | null = 0.1): Uint8Array {
  assertThreshold(threshold);
  const out = new Uint8Array(pixelScores.length);
  for (let i = 0; i < out.length; i++) out[i] = pixelScores[i]! < threshold ? 1 : 0;
  return out;
}

/** cleanlab `issues_from_scores(image_scores, pixel_scores=None, threshold=0.1)`. */
export function issuesFromScores(
  imageScores: ArrayLike<number> | null,
  opts: { pixelScores?: ArrayLike<number> | null; threshold?: number | null; tieOrder?: TieOrder } = {},
): Int32Array | Uint8Array {
  const threshold = opts.threshold === undefined ? 0.1 : opts.threshold;
  if (imageScores === null) throw new InputError('image_scores', 'pixel_scores must be provided');
  if (opts.pixelScores) return pixelIssuesFromScores(opts.pixelScores, threshold);
  return imageIssuesFromScores(imageScores, threshold, opts.tieOrder);
}
