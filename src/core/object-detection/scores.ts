/**
 * Object-detection per-box scores, pooling and image scores (spec task-types.md D4–D7):
 * cleanlab `object_detection.rank`.
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { dot, softmax } from '../float-kernels.js';
import { odData, pruneByConfidence, type OdData, type OdImage, type OdLabel, type OdPrediction } from './data.js';
import { datasetGeometry, minPossibleSimilarity, type ImageGeometry } from './geometry.js';

export const ALPHA = 0.9;
export const LOW_PROBABILITY_THRESHOLD = 0.5;
export const HIGH_PROBABILITY_THRESHOLD = 0.95;
export const TEMPERATURE = 0.1;

/** Per-box score options (cleanlab's keyword names, camelCase). */
export interface BoxScoreOptions {
  alpha?: number;
  lowProbabilityThreshold?: number;
  highProbabilityThreshold?: number;
  overlappingLabelCheck?: boolean;
}

/** Accept cleanlab-format inputs or already flattened data. */
export type OdInputs = OdData | { labels: ArrayLike<OdLabel>; predictions: ArrayLike<OdPrediction> };

export function asOdData(x: OdInputs): OdData {
  return 'images' in x ? x : odData(x.labels, x.predictions);
}

interface Prepared {
  data: OdData;
  geoms: ImageGeometry[];
  mps: number;
}

function prepare(data: OdData, alpha: number): Prepared {
  const geoms = datasetGeometry(data, alpha);
  return { data, geoms, mps: minPossibleSimilarity(geoms) };
}

/** Map every image with its geometry and box counts (M labels, m predictions). */
function perImage(p: Prepared, f: (im: OdImage, g: ImageGeometry, M: number, m: number) => Float64Array): Float64Array[] {
  return p.data.images.map((im, n) => f(im, p.geoms[n]!, im.ll.length, im.pl.length));
}

/** Overlooked scores (D4): one per predicted box, NaN where not applicable. */
function overlooked(p: Prepared, high: number): Float64Array[] {
  return perImage(p, (im, g, M, m) => {
    const out = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const conf = im.pc[j]!;
      let any = false;
      for (let i = 0; i < M && !any; i++) if (g.iouLP[i * m + j]! > 0) any = true;
      if (conf < high || any) {
        out[j] = NaN;
        continue;
      }
      const k = im.pl[j]!;
      let best = -Infinity;
      let found = false;
      for (let i = 0; i < M; i++) {
        if (im.ll[i] !== k) continue;
        found = true;
        const s = g.simLP[i * m + j]!;
        if (s > best) best = s;
      }
      out[j] = found ? best : p.mps * (1 - conf);
    }
    return out;
  });
}

/** Badloc scores (D4): one per label box. */
function badloc(p: Prepared, low: number): Float64Array[] {
  return perImage(p, (im, g, M, m) => {
    const out = new Float64Array(M);
    for (let i = 0; i < M; i++) {
      const k = im.ll[i]!;
      let maxConf = -Infinity;
      let any = false;
      for (let j = 0; j < m; j++) {
        if (im.pl[j] !== k) continue;
        any = true;
        if (im.pc[j]! > maxConf) maxConf = im.pc[j]!;
      }
      if (!any || maxConf <= low) {
        out[i] = 1.0;
        continue;
      }
      let best = -Infinity;
      for (let j = 0; j < m; j++) {
        if (im.pl[j] !== k || !(im.pc[j]! > low) || !(g.iouLP[i * m + j]! > 0)) continue;
        const s = g.simLP[i * m + j]!;
        if (s > best) best = s;
      }
      out[i] = best === -Infinity ? 1.0 : best;
    }
    return out;
  });
}

/** Swap scores (D4): one per label box. */
function swap(p: Prepared, high: number, overlappingLabelCheck: boolean): Float64Array[] {
  return perImage(p, (im, g, M, m) => {
    const out = new Float64Array(M);
    for (let i = 0; i < M; i++) {
      const k = im.ll[i]!;
      if (overlappingLabelCheck) {
        let overlap = false;
        for (let j = 0; j < M && !overlap; j++) if (j !== i && g.iouLL[i * M + j]! >= 0.95 && im.ll[j] !== k) overlap = true;
        if (overlap) {
          out[i] = p.mps;
          continue;
        }
      }
      let anyConfident = false;
      let best = -Infinity;
      for (let j = 0; j < m; j++) {
        if (im.pl[j] === k || !(im.pc[j]! > high)) continue;
        anyConfident = true;
        const s = g.simLP[i * m + j]!;
        if (s > best) best = s;
      }
      out[i] = anyConfident ? Math.max(p.mps, 1 - best) : 1.0;
    }
    return out;
  });
}

function opts(o: BoxScoreOptions) {
  return {
    alpha: o.alpha ?? ALPHA,
    low: o.lowProbabilityThreshold ?? LOW_PROBABILITY_THRESHOLD,
    high: o.highProbabilityThreshold ?? HIGH_PROBABILITY_THRESHOLD,
    check: o.overlappingLabelCheck ?? true,
  };
}

/** cleanlab `compute_overlooked_box_scores`: per image, one score per predicted box (NaN = not applicable). */
export function computeOverlookedBoxScores(inputs: OdInputs, o: BoxScoreOptions = {}): Float64Array[] {
  const q = opts(o);
  return overlooked(prepare(asOdData(inputs), q.alpha), q.high);
}

/** cleanlab `compute_badloc_box_scores`: per image, one score per label box. */
export function computeBadlocBoxScores(inputs: OdInputs, o: BoxScoreOptions = {}): Float64Array[] {
  const q = opts(o);
  return badloc(prepare(asOdData(inputs), q.alpha), q.low);
}

/** cleanlab `compute_swap_box_scores`: per image, one score per label box. */
export function computeSwapBoxScores(inputs: OdInputs, o: BoxScoreOptions = {}): Float64Array[] {
  const q = opts(o);
  return swap(prepare(asOdData(inputs), q.alpha), q.high, q.check);
}

/** All three subtypes with the default α and thresholds (one geometry pass). */
export interface BoxScores {
  overlooked: Float64Array[];
  badloc: Float64Array[];
  swap: Float64Array[];
}

export function computeBoxScores(data: OdData, overlappingLabelCheck = true): BoxScores {
  const p = prepare(data, ALPHA);
  return {
    overlooked: overlooked(p, HIGH_PROBABILITY_THRESHOLD),
    badloc: badloc(p, LOW_PROBABILITY_THRESHOLD),
    swap: swap(p, HIGH_PROBABILITY_THRESHOLD, overlappingLabelCheck),
  };
}

/** Pool one image's box scores (D5): NaN dropped; none → 1; else DOT(SOFTMAX(−s, T), s). */
export function poolImage(s: ArrayLike<number>, temperature: number = TEMPERATURE): number {
  const vals: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] === s[i]) vals.push(s[i]!);
  if (vals.length === 0) return 1.0;
  const neg = vals.map((v) => -v);
  const w = softmax(neg, temperature, new Float64Array(vals.length));
  return dot(w, vals);
}

/** cleanlab `pool_box_scores_per_image(box_scores, temperature=None)`. */
export function poolBoxScoresPerImage(boxScores: ArrayLike<ArrayLike<number>>, opt: { temperature?: number | null } = {}): Float64Array {
  const t = opt.temperature ?? TEMPERATURE;
  const out = new Float64Array(boxScores.length);
  for (let i = 0; i < boxScores.length; i++) out[i] = poolImage(boxScores[i]!, t);
  return out;
}

export interface AggregationWeights {
  overlooked: number;
  swap: number;
  badloc: number;
}

export const AGGREGATION_WEIGHTS_MESSAGE = 'Aggregation weights should be non-negative and must sum to 1.0';

/** Validate aggregation weights like cleanlab (D6 step 2): keys, sum isclose 1, non-negative. */
export function assertAggregationWeights(w: Record<string, number>): AggregationWeights {
  for (const key of ['overlooked', 'swap', 'badloc']) {
    if (typeof w[key] !== 'number') throw new InputError(`aggregation_weights.${key}`, `aggregation_weights must have the key '${key}'.`);
  }
  let sum = 0;
  for (const v of Object.values(w)) sum += v;
  const neg = Object.values(w).some((v) => v < 0);
  if (!(Math.abs(sum - 1) <= 1e-8 + 1e-5) || neg) throw new InputError('aggregation_weights', AGGREGATION_WEIGHTS_MESSAGE);
  return { overlooked: w['overlooked']!, swap: w['swap']!, badloc: w['badloc']! };
}

/** Options of get_label_quality_scores. */
export interface OdQualityOptions {
  aggregationWeights?: Record<string, number> | null;
  overlappingLabelCheck?: boolean;
}

/** Image scores from pooled subtypes (D6 step 4). */
export function aggregateImageScores(o: Float64Array, b: Float64Array, s: Float64Array, w: AggregationWeights): Float64Array {
  const out = new Float64Array(o.length);
  for (let i = 0; i < o.length; i++) {
    out[i] = Math.exp(w.overlooked * Math.log(1e-100 + o[i]!) + w.badloc * Math.log(1e-100 + b[i]!) + w.swap * Math.log(1e-100 + s[i]!));
  }
  return out;
}

/** cleanlab `object_detection.rank.get_label_quality_scores` (lower = more likely an issue). */
export function getLabelQualityScores(inputs: OdInputs, o: OdQualityOptions = {}): Float64Array {
  const data = pruneByConfidence(asOdData(inputs), 0);
  const w = o.aggregationWeights ? assertAggregationWeights(o.aggregationWeights) : { overlooked: 1 / 3, swap: 1 / 3, badloc: 1 / 3 };
  const bs = computeBoxScores(data, o.overlappingLabelCheck ?? true);
  return aggregateImageScores(
    poolBoxScoresPerImage(bs.overlooked),
    poolBoxScoresPerImage(bs.badloc),
    poolBoxScoresPerImage(bs.swap),
    w,
  );
}

export const THRESHOLD_MESSAGE = 'Threshold is a cutoff of label_quality_scores and therefore should be <= 1.';

/** cleanlab `object_detection.rank.issues_from_scores` (D7): scores ≤ threshold, ascending (site D3). */
export function issuesFromScores(scores: ArrayLike<number>, opt: { threshold?: number; ties?: TieOrder } = {}): Int32Array {
  const threshold = opt.threshold ?? 0.1;
  if (threshold > 1) throw new InputError('threshold', THRESHOLD_MESSAGE);
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! <= threshold) idx.push(i);
  const keys = Float64Array.from(idx, (i) => scores[i]!);
  const ord = argsortBy(keys, opt.ties ?? 'stable');
  return Int32Array.from(ord, (t) => idx[t]!);
}
