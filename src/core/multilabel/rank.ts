/**
 * Multi-label label quality scores (spec A6): per-class scores of the core's
 * `getLabelQualityScores` on each binary problem, aggregated per row (exponential moving
 * average by default, or softmin).
 */
import { InputError } from '../errors.js';
import { pairwiseSum, sequentialSum } from '../numeric.js';
import { assertRankBy, getLabelQualityScores } from '../rank.js';
import type { ProbMatrix, RankBy } from '../types.js';
import { binaryProblem } from './binary.js';
import { oneHot, type LabelLists } from './types.js';
import { assertMultilabelFormat, assertValidMultilabelInputs } from './validate.js';

export type MultilabelAggregator =
  /** alpha null/undefined → 2/(K+1) (cleanlab's `alpha=None`). */
  | { method: 'exponential_moving_average'; alpha?: number | null }
  | { method: 'softmin'; temperature?: number }
  /** A custom aggregator over the N×K per-class score matrix (row-major). */
  | { method: 'custom'; fn: (scores: Float64Array, n: number, k: number) => Float64Array };

export const DEFAULT_AGGREGATOR: MultilabelAggregator = { method: 'exponential_moving_average', alpha: 0.8 };

export interface MultilabelScoreOptions {
  method?: RankBy;
  adjustPredProbs?: boolean;
  aggregator?: MultilabelAggregator;
}

/**
 * Per-class scores v[n][c] on a one-hot matrix (no validation): the core's score of
 * (y_c, B_c) with `method`/`adjustPredProbs`. Row-major N×K.
 */
export function perClassScoresOneHot(y: Uint8Array, pp: ProbMatrix, method: RankBy, adjustPredProbs: boolean): Float64Array {
  const { n, k } = pp;
  const v = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const b = binaryProblem(y, pp, c);
    const s = getLabelQualityScores(b.labels, b.pp, { method, adjustPredProbs });
    for (let i = 0; i < n; i++) v[i * k + c] = s[i]!;
  }
  return v;
}

/** EMA over each row's scores sorted descending: e = w1; e = α·w_i + (1−α)·e. */
export function exponentialMovingAverage(v: Float64Array, n: number, k: number, alpha?: number | null): Float64Array {
  const a = alpha === undefined || alpha === null ? 2 / (k + 1) : alpha;
  if (!(a >= 0 && a <= 1)) throw new InputError('aggregator_kwargs.alpha', `alpha must be in [0, 1]; got ${a}.`);
  const oneMinus = 1 - a;
  const out = new Float64Array(n);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) row[c] = v[i * k + c]!;
    row.sort(); // ascending, NaN last (as np.sort); read backwards = descending, NaN first
    let e = row[k - 1]!;
    for (let j = k - 2; j >= 0; j--) e = a * row[j]! + oneMinus * e;
    out[i] = e;
  }
  return out;
}

/** softmin: x_c = (1 − v_c)/max(T, 1e-6), shifted by max; w = softmax(x); score = Σ v_c·w_c. */
export function softmin(v: Float64Array, n: number, k: number, temperature = 0.1): Float64Array {
  const t = Math.max(temperature, 1e-6);
  const out = new Float64Array(n);
  const x = new Float64Array(k);
  const prod = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      x[c] = (1 - v[i * k + c]!) / t;
      if (x[c]! > mx) mx = x[c]!;
    }
    for (let c = 0; c < k; c++) x[c] = Math.exp(x[c]! - mx);
    const z = pairwiseSum(x);
    for (let c = 0; c < k; c++) prod[c] = v[i * k + c]! * (x[c]! / z);
    out[i] = sequentialSum(prod);
  }
  return out;
}

export function aggregateScores(v: Float64Array, n: number, k: number, agg: MultilabelAggregator = DEFAULT_AGGREGATOR): Float64Array {
  switch (agg.method) {
    case 'exponential_moving_average':
      return exponentialMovingAverage(v, n, k, agg.alpha);
    case 'softmin':
      return softmin(v, n, k, agg.temperature);
    case 'custom': {
      const out = agg.fn(v, n, k);
      if (out.length !== n) throw new InputError('aggregator', `the custom aggregator returned ${out.length} scores for ${n} examples`);
      return out;
    }
    default:
      throw new InputError('aggregator_kwargs.method', `Invalid aggregation method '${String((agg as { method: unknown }).method)}'; use 'exponential_moving_average' or 'softmin'.`);
  }
}

/** Scores of a one-hot dataset after the strict format check (A6.3 second rule). */
export function scoresOneHot(y: Uint8Array, pp: ProbMatrix, opts: MultilabelScoreOptions = {}, what = 'labels'): Float64Array {
  const method = opts.method ?? 'self_confidence';
  assertRankBy(method, 'method');
  assertMultilabelFormat(y, pp.k, what);
  const v = perClassScoresOneHot(y, pp, method, opts.adjustPredProbs ?? false);
  return aggregateScores(v, pp.n, pp.k, opts.aggregator ?? DEFAULT_AGGREGATOR);
}

/**
 * `multilabel_classification.get_label_quality_scores(labels, pred_probs, method,
 * adjust_pred_probs, aggregator_kwargs)`: one score per example, lower = more likely wrong.
 */
export function getLabelQualityScoresMultilabel(labels: LabelLists, pp: ProbMatrix, opts: MultilabelScoreOptions = {}): Float64Array {
  assertValidMultilabelInputs(labels, pp);
  return scoresOneHot(oneHot(labels, pp.k), pp, opts);
}

/** `get_label_quality_scores_per_class`: the N×K per-class score matrix (no aggregation). */
export function getLabelQualityScoresPerClass(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { method?: RankBy; adjustPredProbs?: boolean } = {},
): Float64Array {
  assertValidMultilabelInputs(labels, pp);
  const method = opts.method ?? 'self_confidence';
  assertRankBy(method, 'method');
  const y = oneHot(labels, pp.k);
  assertMultilabelFormat(y, pp.k);
  return perClassScoresOneHot(y, pp, method, opts.adjustPredProbs ?? false);
}
