/**
 * cleanlab `segmentation.filter.find_label_issues` (spec task-types.md C4): optional
 * downsampling, then the batched label inspector (Part B) over the pixels with batches of
 * whole images, then the argmax filter at full resolution. Returns the N×H×W mask.
 */
import type { TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { LabelInspector, markLabelIssues, type RowRun } from '../label-inspector.js';
import { firstArgmax, pairwiseSum, roundHalfEven } from '../numeric.js';
import { assertSegmentationLabels, resolveBatchSize, type SegmentationData } from './data.js';

export interface SegmentationFindOptions {
  /** cleanlab's `downsample` kwarg (default 1) */
  downsample?: number;
  /** cleanlab's `batch_size` (default 10000 values per batch) */
  batchSize?: number | null;
  tieOrder?: TieOrder;
}

/** Checks `downsample` divides H and W (cleanlab's message). */
export function assertDownsample(f: number, h: number, w: number): void {
  if (!Number.isInteger(f) || f < 1) throw new InputError('downsample', `downsample must be a positive integer, got ${f}`);
  if (h % f !== 0 || w % f !== 0) {
    throw new InputError(
      'downsample',
      `Height ${h} and width ${w} not divisible by downsample value of ${f}. Set kwarg downsample to 1 to avoid downsampling.`,
    );
  }
}

/**
 * Downsample image n by f into labels `sl` (h·w) and probabilities `sp` (K·h·w, class axis
 * first) at offsets lo / po: labels = round-half-even of the block's mean class index;
 * probabilities = block sums (rows of f pairwise-summed, rows added in order) / f²,
 * renormalised per pixel by the sequential sum over classes.
 */
function downsampleImage(d: SegmentationData, f: number, img: number, sl: Int32Array, lo: number, sp: Float64Array, po: number): void {
  const { k, h: H, w: W, labels, pp } = d;
  const h = H / f;
  const w = W / f;
  const hw = h * w;
  const f2 = f * f;
  const lbase = img * H * W;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) s += labels[lbase + (i * f + a) * W + j * f + b]!;
      sl[lo + i * w + j] = roundHalfEven(s / f2);
    }
  }
  for (let c = 0; c < k; c++) {
    const cbase = (img * k + c) * H * W;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let a = 0; a < f; a++) {
          const start = cbase + (i * f + a) * W + j * f;
          s += pairwiseSum(pp, start, start + f);
        }
        sp[po + c * hw + i * w + j] = s / f2;
      }
    }
  }
  for (let p = 0; p < hw; p++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += sp[po + c * hw + p]!;
    for (let c = 0; c < k; c++) sp[po + c * hw + p] = sp[po + c * hw + p]! / s;
  }
}

/** first argmax over classes of pixel p of image n (strided read of the class axis). */
export function pixelArgmax(pp: ArrayLike<number>, k: number, hw: number, img: number, p: number, buf: Float64Array): number {
  const base = img * k * hw + p;
  for (let c = 0; c < k; c++) buf[c] = pp[base + c * hw]!;
  return firstArgmax(buf, 0, k);
}

/**
 * Yields the inspector's batches: runs of `imagesPerBatch` whole (downsampled) images.
 * Downsampled images are recomputed per pass (cheap) instead of being kept.
 */
function* batches(d: SegmentationData, f: number, imagesPerBatch: number): Generator<RowRun[]> {
  const { n, k } = d;
  const hw = (d.h / f) * (d.w / f);
  const sl = f === 1 ? null : new Int32Array(imagesPerBatch * hw);
  const sp = f === 1 ? null : new Float64Array(imagesPerBatch * k * hw);
  for (let n0 = 0; n0 < n; n0 += imagesPerBatch) {
    const runs: RowRun[] = [];
    for (let img = n0; img < Math.min(n, n0 + imagesPerBatch); img++) {
      if (f === 1) {
        runs.push({ labels: d.labels, labelStart: img * hw, data: d.pp, dataStart: img * k * hw, rows: hw, rowStride: 1, classStride: hw });
      } else {
        const b = img - n0;
        downsampleImage(d, f, img, sl!, b * hw, sp!, b * k * hw);
        runs.push({ labels: sl!, labelStart: b * hw, data: sp!, dataStart: b * k * hw, rows: hw, rowStride: 1, classStride: hw });
      }
    }
    yield runs;
  }
}

/** What the batched inspector saw and selected at the (downsampled) resolution. */
export interface PixelInspection {
  imagesPerBatch: number;
  /** final running confident thresholds */
  thresholds: Float64Array;
  /** m: pixels counted as confident off-label */
  numIssues: number;
  /** the m lowest-scoring pixels, N·h·w */
  small: Uint8Array;
}

/** Steps 3–5 of C4: the inspector over batches of whole (downsampled) images. */
export function inspectPixels(d: SegmentationData, f: number, batchSize: number, ties: TieOrder): PixelInspection {
  const { n, k } = d;
  const hw = (d.h / f) * (d.w / f);
  const imagesPerBatch = Math.max(Math.floor(batchSize / (k * hw)), 1);
  const inspector = new LabelInspector(k);
  for (const runs of batches(d, f, imagesPerBatch)) inspector.updateThresholds(runs);
  // self-confidences of float32 input are float32 values: keep them at half the memory
  const scores = f === 1 && d.pp instanceof Float32Array ? new Float32Array(n * hw) : new Float64Array(n * hw);
  let at = 0;
  for (const runs of batches(d, f, imagesPerBatch)) at += inspector.scoreBatch(runs, scores, at);
  const small = new Uint8Array(n * hw);
  markLabelIssues(scores, inspector.numIssues, ties, small);
  return { imagesPerBatch, thresholds: inspector.thresholds, numIssues: inspector.numIssues, small };
}

/**
 * cleanlab `segmentation.filter.find_label_issues(labels, pred_probs, downsample=…,
 * batch_size=…)`: 1 marks a pixel whose label is likely wrong.
 */
export function findLabelIssues(d: SegmentationData, opts: SegmentationFindOptions = {}): Uint8Array {
  const batchSize = resolveBatchSize(opts.batchSize);
  const f = opts.downsample ?? 1;
  const { n, k, h: H, w: W } = d;
  assertDownsample(f, H, W);
  const HW = H * W;
  const h = H / f;
  const w = W / f;
  const hw = h * w;
  assertSegmentationLabels(d);
  const small = inspectPixels(d, f, batchSize, opts.tieOrder ?? 'stable').small;
  const buf = new Float64Array(k);
  if (f === 1) {
    for (let i = 0; i < small.length; i++) {
      if (small[i] && pixelArgmax(d.pp, k, HW, Math.floor(i / HW), i % HW, buf) === d.labels[i]!) small[i] = 0;
    }
    return small;
  }
  const mask = new Uint8Array(n * HW);
  for (let i = 0; i < small.length; i++) {
    if (!small[i]) continue;
    const img = Math.floor(i / hw);
    const si = Math.floor((i % hw) / w);
    const sj = i % w;
    for (let a = 0; a < f; a++) {
      for (let b = 0; b < f; b++) {
        const p = (si * f + a) * W + sj * f + b;
        if (pixelArgmax(d.pp, k, HW, img, p, buf) !== d.labels[img * HW + p]!) mask[img * HW + p] = 1;
      }
    }
  }
  return mask;
}
