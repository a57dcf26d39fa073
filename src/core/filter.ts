/**
 * cleanlab `filter.find_label_issues` (spec §10) for all seven `filter_by` methods.
 * One shared ConfidentJointResult (thresholds, joint, off-diagonal rows, rows grouped by
 * class) feeds everything; pruning selects with O(m) selection per (class, class) pair,
 * and only the flagged rows are sorted (when ranking).
 */
import { markSmallest, type TieOrder } from './argsort.js';
import {
  assertValidLabels,
  assertValidRange,
  CONFIDENT_JOINT_IGNORED_WARNING,
  computeConfidentJointFull,
  countOffDiagonalIssues,
  fromMatrix,
  rangeOf,
  roundRowsPreservingSum,
  valueRange,
  type ConfidentJointResult,
} from './count.js';
import { InputError } from './errors.js';
import { firstArgmax, givenIsNearArgmax, pairwiseSum } from './numeric.js';
import { assertScoringOptions, rankFlaggedRows, scoreRows } from './rank.js';
import { FILTER_BY_VALUES, type FilterBy, type Matrix, type ProbMatrix, type RankBy } from './types.js';

export interface FindLabelIssuesOptions {
  filterBy?: FilterBy;
  fracNoise?: number;
  numToRemovePerClass?: number[];
  minExamplesPerClass?: number;
  /** used as given (no calibration) by the prune methods; ignored by the others */
  confidentJoint?: Matrix;
  /** tie rule of every sort (default 'stable', the documented rule; 'numpy' = cleanlab on numpy 1.24) */
  tieOrder?: TieOrder;
}

export interface FindLabelIssuesResult {
  mask: Uint8Array;
  /** flagged rows, increasing */
  indices: Int32Array;
  /** cleanlab's warnings (texts), in the order they arose */
  warnings: string[];
}

const NO_PRUNE_METHODS: readonly FilterBy[] = [
  'confident_learning',
  'predicted_neq_given',
  'low_normalized_margin',
  'low_self_confidence',
];

export const FRAC_NOISE_IGNORED_WARNING =
  "frac_noise and num_to_remove_per_class parameters are only supported for filter_by 'prune_by_noise_rate', 'prune_by_class', and 'both'. They are not supported for methods 'confident_learning', 'predicted_neq_given', 'low_normalized_margin' or 'low_self_confidence'.";

function warnTooFewNoiseRate(k: number): string {
  return `May not flag all label issues in class: ${k}, it has too few examples (see \`min_examples_per_class\` argument)`;
}
function warnTooFewByClass(k: number): string {
  return `May not flag all label issues in class: ${k}, it has too few examples (see argument: \`min_examples_per_class\`)`;
}

/** numpy `astype(int)`: truncation; NaN/±inf/out of range become int64 min. */
function toInt64Like(x: number): number {
  if (x !== x || x >= 9223372036854775807 || x < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(x);
}

/**
 * The prune count matrix Q (§10.2): Q[j][k] = how many rows with given label k to flag as
 * having true label j. `c` is the confident joint (rows given), used as is.
 */
export function pruneCountMatrix(
  c: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  minExamplesPerClass: number,
  fracNoise: number,
  numToRemovePerClass: ArrayLike<number> | undefined,
  ties: TieOrder,
  warnings: string[],
): Float64Array {
  const kk = k * k;
  const q0 = new Float64Array(kk);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) q0[j * k + i] = c[i * k + j]!;
  // _keep_at_least_n_per_class
  const dNew = new Float64Array(k);
  const delta = new Float64Array(k);
  const z = new Float64Array(k);
  for (let col = 0; col < k; col++) {
    const d = q0[col * k + col]!;
    const d2 = d !== d ? d : d > minExamplesPerClass ? d : minExamplesPerClass; // np.maximum
    dNew[col] = d2;
    delta[col] = d2 - d;
    let nnz = 0;
    for (let j = 0; j < k; j++) if (q0[j * k + col]! !== 0) nnz++;
    z[col] = Math.max(nnz - 1.0, 1.0);
  }
  const q1 = new Float64Array(kk);
  for (let j = 0; j < k; j++) {
    for (let col = 0; col < k; col++) {
      const v = q0[j * k + col]! - delta[col]! / z[col]!;
      q1[j * k + col] = v < 0 ? 0 : v;
    }
  }
  for (let col = 0; col < k; col++) q1[col * k + col] = dNew[col]!;
  // _reduce_prune_counts
  const q2 = new Float64Array(kk);
  for (let i = 0; i < kk; i++) q2[i] = q1[i]! * fracNoise;
  for (let col = 0; col < k; col++) q2[col * k + col] = q1[col * k + col]!;
  for (let col = 0; col < k; col++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += q1[j * k + col]! - q2[j * k + col]!;
    q2[col * k + col] = q1[col * k + col]! + s;
  }
  let q = new Float64Array(kk);
  for (let i = 0; i < kk; i++) q[i] = toInt64Like(q2[i]!);
  // (the row-rounding pass that follows in cleanlab leaves integers unchanged)
  if (numToRemovePerClass) {
    const r = numToRemovePerClass;
    const rowsum = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += q[j * k + m]!;
      rowsum[j] = s;
    }
    const psi = new Float64Array(kk);
    for (let j = 0; j < k; j++) for (let col = 0; col < k; col++) psi[j * k + col] = q[j * k + col]! / rowsum[col]!;
    const t = new Float64Array(kk);
    let bad = false;
    for (let j = 0; j < k; j++) {
      const nu = pairwiseSum(psi, j * k, j * k + k) - psi[j * k + j]!;
      for (let col = 0; col < k; col++) {
        const v = (psi[j * k + col]! * r[j]!) / nu;
        t[j * k + col] = v;
        if (col !== j && !Number.isFinite(v)) bad = true;
      }
    }
    for (let col = 0; col < k; col++) t[col * k + col] = counts[col]! - r[col]!;
    if (bad) {
      warnings.push(
        'num_to_remove_per_class: some noise rates are undefined (a class has no off-diagonal counts, e.g. a class without examples); those prune counts are ignored (cleanlab: RuntimeWarning: invalid value encountered in divide)',
      );
    }
    const rounded = roundRowsPreservingSum(t, k, ties);
    q = new Float64Array(kk);
    for (let i = 0; i < kk; i++) q[i] = toInt64Like(rounded[i]!);
  }
  return q;
}

/** The internal result, with what ranking needs. */
interface Found {
  result: FindLabelIssuesResult;
  pre: ConfidentJointResult | null;
  range: { min: number; max: number };
  ties: TieOrder;
}

function findImpl(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions,
  precomputed: ConfidentJointResult | undefined,
): Found {
  const warnings: string[] = [];
  const filterBy = opts.filterBy ?? 'prune_by_noise_rate';
  if (!FILTER_BY_VALUES.includes(filterBy)) {
    throw new InputError('filter_by', `filter_by must be one of: ${FILTER_BY_VALUES.join(', ')}; got '${String(filterBy)}'.`);
  }
  const fracNoise = opts.fracNoise ?? 1.0;
  const minEx = opts.minExamplesPerClass ?? 1;
  const ntr = opts.numToRemovePerClass;
  const ties = opts.tieOrder ?? precomputed?.tieOrder ?? 'stable';
  const n = pp.n;
  const k = pp.k;
  // one class is allowed only when every label is 0 (one-vs-rest reductions)
  assertValidLabels(labels, pp, 'zero-only');
  const noPrune = NO_PRUNE_METHODS.includes(filterBy);
  if (noPrune && (fracNoise !== 1.0 || ntr !== undefined)) warnings.push(FRAC_NOISE_IGNORED_WARNING);
  if (noPrune && ntr !== undefined) {
    throw new InputError(
      'num_to_remove_per_class',
      "filter_by 'confident_learning', 'predicted_neq_given', 'low_normalized_margin' or 'low_self_confidence' is not supported (yet) when setting 'num_to_remove_per_class'",
    );
  }
  if (ntr !== undefined && ntr.length !== k) {
    throw new InputError('num_to_remove_per_class', `num_to_remove_per_class must have one entry per class (${k}); got ${ntr.length}.`);
  }
  const pre =
    precomputed ?? (filterBy === 'predicted_neq_given' ? null : computeConfidentJointFull(labels, pp, { tieOrder: ties }));
  const range = pre ? rangeOf(pre) : valueRange(pp);
  assertValidRange(range);

  const d = pp.data;
  const mask = new Uint8Array(n);

  if (filterBy === 'prune_by_noise_rate' || filterBy === 'prune_by_class' || filterBy === 'both') {
    const p = pre!;
    let c: Float64Array;
    if (opts.confidentJoint) c = fromMatrix(opts.confidentJoint, 'confident_joint', k).flat;
    else c = p.calibratedFlat;
    const counts = p.labelCounts;
    const q = pruneCountMatrix(c, k, counts, minEx, fracNoise, ntr, ties, warnings);
    let maxClass = 0;
    for (let col = 0; col < k; col++) maxClass = Math.max(maxClass, counts[col]!);
    const keys = new Float64Array(maxClass);
    const scratch = new Float64Array(maxClass);
    const rows = p.classRows;
    const starts = p.classStart;
    let byClass: Uint8Array | null = null;
    if (filterBy !== 'prune_by_noise_rate') {
      byClass = filterBy === 'both' ? new Uint8Array(n) : mask;
      for (let col = 0; col < k; col++) {
        const m = counts[col]!;
        if (m <= minEx) {
          warnings.push(warnTooFewByClass(col));
          continue;
        }
        if (m <= 1) continue; // cleanlab copies a class's mask back only when it has > 1 row
        const u = m - q[col * k + col]!;
        if (!(u >= 1)) continue;
        const base = starts[col]!;
        for (let t = 0; t < m; t++) keys[t] = d[rows[base + t]! * k + col]!;
        markSmallest(keys, m, u, ties, scratch, byClass, rows, base);
      }
    }
    if (filterBy !== 'prune_by_class') {
      const byNoise = filterBy === 'both' ? new Uint8Array(n) : mask;
      for (let col = 0; col < k; col++) {
        const m = counts[col]!;
        if (m <= minEx) {
          warnings.push(warnTooFewNoiseRate(col));
          continue;
        }
        if (m <= 1) continue;
        const base = starts[col]!;
        for (let j = 0; j < k; j++) {
          if (j === col) continue;
          const v = q[j * k + col]!;
          if (!(v > 0)) continue;
          if (v >= m) {
            for (let t = 0; t < m; t++) byNoise[rows[base + t]!] = 1;
            continue;
          }
          // key = -(P[j] - P[k]) = P[k] - P[j] (bit-identical, sign of zero aside)
          for (let t = 0; t < m; t++) {
            const o = rows[base + t]! * k;
            keys[t] = d[o + col]! - d[o + j]!;
          }
          markSmallest(keys, m, v, ties, scratch, byNoise, rows, base);
        }
      }
      if (filterBy === 'both') for (let i = 0; i < n; i++) mask[i] = byClass![i]! & byNoise[i]!;
    }
  } else if (filterBy === 'confident_learning') {
    if (opts.confidentJoint) warnings.push('The supplied `confident_joint` is ignored by filter_by=\'confident_learning\': it is recomputed from labels and pred_probs.');
    const off = pre!.offDiagonalIndices;
    for (let t = 0; t < off.length; t++) mask[off[t]!] = 1;
  } else if (filterBy === 'predicted_neq_given') {
    for (let i = 0; i < n; i++) if (firstArgmax(d, i * k, k) !== labels[i]!) mask[i] = 1;
  } else {
    // low_self_confidence / low_normalized_margin
    if (opts.confidentJoint) warnings.push(CONFIDENT_JOINT_IGNORED_WARNING);
    const m = countOffDiagonalIssues(pre!, labels, pp);
    const method: RankBy = filterBy === 'low_self_confidence' ? 'self_confidence' : 'normalized_margin';
    const scores = scoreRows(labels, pp, method, null, null);
    markSmallest(scores, n, m, ties, new Float64Array(n), mask);
  }

  if (filterBy !== 'low_self_confidence' && filterBy !== 'low_normalized_margin') {
    for (let i = 0; i < n; i++) {
      if (mask[i] && givenIsNearArgmax(d, i * k, k, labels[i]!)) mask[i] = 0;
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i]!;
  const indices = new Int32Array(count);
  for (let i = 0, c = 0; i < n; i++) if (mask[i]) indices[c++] = i;
  return { result: { mask, indices, warnings }, pre, range, ties };
}

/**
 * cleanlab `find_label_issues(labels, pred_probs, filter_by=…, …)` returning the mask (and
 * the flagged rows in increasing order). `precomputed` (computeConfidentJointFull of the
 * same labels and pred_probs) lets callers share the passes over N×K.
 */
export function findLabelIssues(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions = {},
  precomputed?: ConfidentJointResult,
): FindLabelIssuesResult {
  return findImpl(labels, pp, opts, precomputed).result;
}

/**
 * cleanlab `find_label_issues(..., return_indices_ranked_by=rankBy,
 * rank_by_kwargs={adjust_pred_probs})`: flagged rows ordered by ascending label quality
 * score, ties by lower row first. Warnings are appended to `opts.warnings` when given.
 */
export function findLabelIssuesRanked(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: FindLabelIssuesOptions & { rankBy: RankBy; adjustPredProbs?: boolean; warnings?: string[] },
  precomputed?: ConfidentJointResult,
): Int32Array {
  const found = findImpl(labels, pp, opts, precomputed);
  opts.warnings?.push(...found.result.warnings);
  const adjust = opts.adjustPredProbs ?? false;
  assertScoringOptions(opts.rankBy, adjust, found.range, 'rank_by');
  let thr: Float64Array | null = null;
  if (adjust) thr = (found.pre ?? computeConfidentJointFull(labels, pp, { tieOrder: found.ties })).thresholds;
  return rankFlaggedRows(labels, pp, found.result.indices, opts.rankBy, thr, found.ties);
}
