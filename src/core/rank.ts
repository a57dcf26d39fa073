/**
 * cleanlab `rank`: label quality scores (§9) and the ordering of flagged rows (§10.10, S4).
 */
import { argsortBy, type TieOrder } from './argsort.js';
import { assertValidInputs, getConfidentThresholds, clampedRange } from './count.js';
import { InputError } from './errors.js';
import { lnInteger, pairwiseSum } from './numeric.js';
import { isOneOf, RANK_BY_VALUES, type ProbMatrix, type RankBy } from './types.js';

export const CWE_ADJUST_MESSAGE = 'adjust_pred_probs is not currently supported for confidence_weighted_entropy.';
export const CWE_RANGE_MESSAGE = 'All probabilities are required to be in the interval [0, 1].';

/** Throws cleanlab's ValueError text for an unknown scoring method. */
export function assertRankBy(method: unknown, field = 'rank_by'): asserts method is RankBy {
  if (!isOneOf(RANK_BY_VALUES, method)) {
    // cleanlab's text verbatim, including the indentation of its triple-quoted string
    // (fixtures token-classification/*: rank.get_label_quality_scores with "entropy")
    throw new InputError(
      field,
      `${String(method)} is not a valid scoring method for rank_by!\n            Please choose a valid rank_by: self_confidence, normalized_margin, confidence_weighted_entropy`,
    );
  }
}

/**
 * Method/option checks of cleanlab's `_compute_label_quality_scores`, given the value range
 * of pred_probs (min/max ignoring NaN): unknown method, cwe + adjust, cwe outside [0, 1].
 */
export function assertScoringOptions(
  method: unknown,
  adjustPredProbs: boolean,
  range: { min: number; max: number },
  field = 'method',
): asserts method is RankBy {
  assertRankBy(method, field);
  if (method === 'confidence_weighted_entropy') {
    if (adjustPredProbs) throw new InputError('adjust_pred_probs', CWE_ADJUST_MESSAGE);
    if (range.min < 0 || range.max > 1) throw new InputError('pred_probs', CWE_RANGE_MESSAGE);
  }
}

/** Per-call state of the row scorer (thresholds shift for adjust_pred_probs, buffers). */
export interface RowScorer {
  method: RankBy;
  k: number;
  /** thresholds t (adjust_pred_probs) or null */
  shift: Float64Array | null;
  tmax: number;
  lnK: number;
  buf: Float64Array;
}

export function makeRowScorer(method: RankBy, k: number, adjustThresholds: ArrayLike<number> | null): RowScorer {
  let shift: Float64Array | null = null;
  let tmax = 0;
  if (adjustThresholds) {
    shift = Float64Array.from(adjustThresholds);
    tmax = -Infinity;
    for (let j = 0; j < k; j++) {
      const t = shift[j]!;
      if (t !== t) {
        tmax = NaN; // np.max propagates NaN
        break;
      }
      if (t > tmax) tmax = t;
    }
  }
  return { method, k, shift, tmax, lnK: lnInteger(k), buf: new Float64Array(k) };
}

/**
 * adjust_pred_probs (§9): out = P' with P'[j] = (P[j] − t[j]) + max t, divided by its
 * pairwise row sum. Needs a scorer made with thresholds.
 */
export function adjustRow(sc0: RowScorer, d: ArrayLike<number>, o: number, out: Float64Array): Float64Array {
  const k = sc0.k;
  const shift = sc0.shift!;
  const tmax = sc0.tmax;
  for (let j = 0; j < k; j++) out[j] = d[o + j]! - shift[j]! + tmax;
  const rs = pairwiseSum(out, 0, k);
  for (let j = 0; j < k; j++) out[j] = out[j]! / rs;
  return out;
}

/**
 * cleanlab's `get_normalized_entropy` of one row src[so .. so+k): −PSUM(xlogy(p, p)) / ln K.
 * `buf` (length ≥ k) may alias src only when so = 0.
 */
export function normalizedEntropy(src: ArrayLike<number>, so: number, k: number, buf: Float64Array, lnK: number = Math.log(k)): number {
  for (let j = 0; j < k; j++) {
    const p = src[so + j]!;
    buf[j] = p === 0 ? 0 : p * Math.log(p); // scipy xlogy(p, p)
  }
  return -pairwiseSum(buf, 0, k) / lnK;
}

/** Label quality score of one row (data[o .. o+k), given label s), spec §9. */
export function scoreRow(sc0: RowScorer, d: ArrayLike<number>, o: number, s: number): number {
  const k = sc0.k;
  const buf = sc0.buf;
  let src: ArrayLike<number> = d;
  let so = o;
  if (sc0.shift) {
    adjustRow(sc0, d, o, buf);
    src = buf;
    so = 0;
  }
  const sc = src[so + s]!;
  const method = sc0.method;
  if (method === 'self_confidence') return sc;
  if (method === 'normalized_margin') {
    let mx = -Infinity;
    for (let j = 0; j < k; j++) {
      if (j === s) continue;
      const v = src[so + j]!;
      if (v > mx || v !== v) mx = v; // np.max propagates NaN
      if (mx !== mx) break;
    }
    return (sc - mx + 1) / 2;
  }
  // confidence_weighted_entropy (never with adjusted probabilities)
  const h = normalizedEntropy(src, so, k, buf, sc0.lnK);
  const x = h / (sc < 1e-6 ? 1e-6 : sc);
  return Math.log(x + 1) / (x < 1e-6 ? 1e-6 : x);
}

/**
 * Scores of the given rows (all rows when `rows` is null) — the kernel behind
 * getLabelQualityScores. `adjustThresholds`: the per-class thresholds when
 * adjust_pred_probs is on (computed from ALL rows), else null.
 */
export function scoreRows(
  labels: Int32Array,
  pp: ProbMatrix,
  method: RankBy,
  adjustThresholds: ArrayLike<number> | null,
  rows: Int32Array | null,
): Float64Array {
  const k = pp.k;
  const d = pp.data;
  const count = rows ? rows.length : pp.n;
  const out = new Float64Array(count);
  const scorer = makeRowScorer(method, k, adjustThresholds);
  if (!scorer.shift && method === 'self_confidence') {
    for (let r = 0; r < count; r++) {
      const i = rows ? rows[r]! : r;
      out[r] = d[i * k + labels[i]!]!;
    }
    return out;
  }
  for (let r = 0; r < count; r++) {
    const i = rows ? rows[r]! : r;
    out[r] = scoreRow(scorer, d, i * k, labels[i]!);
  }
  return out;
}

/**
 * cleanlab `get_label_quality_scores` (higher = more likely correct). Validates like cleanlab
 * (one class allowed). `thresholds` may supply precomputed per-class thresholds for
 * adjust_pred_probs (they must be the ones of these labels and pred_probs).
 */
export function getLabelQualityScores(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { method?: RankBy; adjustPredProbs?: boolean; thresholds?: Float64Array; range?: { min: number; max: number } } = {},
): Float64Array {
  const method = opts.method ?? 'self_confidence';
  const adjust = opts.adjustPredProbs ?? false;
  const range = opts.range ?? clampedRange(pp);
  assertValidInputs(labels, pp, { allowOneClass: true, range });
  assertScoringOptions(method, adjust, range);
  const thr = adjust ? (opts.thresholds ?? getConfidentThresholds(labels, pp)) : null;
  return scoreRows(labels, pp, method, thr, null);
}

/**
 * Order flagged rows (increasing) by ascending score, ties by lower row first (S4).
 * `scores` holds the scores of all N rows.
 */
export function orderLabelIssues(issueIndices: Int32Array, scores: ArrayLike<number>, ties: TieOrder = 'stable'): Int32Array {
  const m = issueIndices.length;
  const keys = new Float64Array(m);
  for (let t = 0; t < m; t++) keys[t] = scores[issueIndices[t]!]!;
  const ord = argsortBy(keys, ties);
  const out = new Int32Array(m);
  for (let t = 0; t < m; t++) out[t] = issueIndices[ord[t]!]!;
  return out;
}

/**
 * Rank flagged rows (increasing) by `method`, scoring only those rows (scores are per-row,
 * so this equals scoring all N then subsetting; adjust thresholds come from all rows).
 */
export function rankFlaggedRows(
  labels: Int32Array,
  pp: ProbMatrix,
  flagged: Int32Array,
  method: RankBy,
  adjustThresholds: ArrayLike<number> | null,
  ties: TieOrder = 'stable',
): Int32Array {
  const keys = scoreRows(labels, pp, method, adjustThresholds, flagged);
  const ord = argsortBy(keys, ties);
  const out = new Int32Array(flagged.length);
  for (let t = 0; t < flagged.length; t++) out[t] = flagged[ord[t]!]!;
  return out;
}
