/** Class grouping (counting sort of the rows by given label) and the per-class thresholds t[k] (§3). */
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import type { ProbMatrix } from '../types.js';

interface ClassGroups {
  /** c[k], as integers. */
  counts: Int32Array;
  /** classRows[classStart[k] .. classStart[k+1]) are the rows with label k, increasing. */
  classStart: Int32Array;
  classRows: Int32Array;
  /** self-confidences P[n][s[n]] in the same grouped order. */
  selfConf: Float64Array;
}

function checkLabelRange(labels: Int32Array, k: number): void {
  for (let i = 0, n = labels.length; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) {
      throw new InputError('labels', `labels[${i}] = ${s} is not a class index in [0, ${k - 1}] (pred_probs has ${k} columns).`, {
        row: i,
      });
    }
  }
}

/** One pass over the labels (counting sort) and one gather of the self-confidences. */
export function groupByClass(labels: Int32Array, pp: ProbMatrix): ClassGroups {
  const n = pp.n;
  const k = pp.k;
  if (labels.length !== n) throw new InputError('pred_probs', 'pred_probs and labels must have same length.');
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) checkLabelRange(labels, k); // throws with the first bad row
    counts[s]!++;
  }
  const classStart = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) classStart[c + 1] = classStart[c]! + counts[c]!;
  const cursor = classStart.slice(0, k);
  const classRows = new Int32Array(n);
  const selfConf = new Float64Array(n);
  const d = pp.data;
  for (let i = 0; i < n; i++) {
    const s = labels[i]!;
    const p = cursor[s]!++;
    classRows[p] = i;
    selfConf[p] = d[i * k + s]!;
  }
  return { counts, classStart, classRows, selfConf };
}

/**
 * Per-class thresholds from the per-class sums of self-confidences (pairwise-summed) and
 * the class counts: the mean, 2 for an absent class, clipped to ≥ 2e-6 (§3).
 */
export function thresholdsFromSums(sums: ArrayLike<number>, counts: ArrayLike<number>): Float64Array {
  const k = counts.length;
  if (sums.length !== k) throw new RangeError(`thresholdsFromSums: ${sums.length} sums for ${k} classes`);
  const t = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const m = counts[c]!;
    let v = m > 0 ? sums[c]! / m : 2;
    if (v < 2e-6) v = 2e-6; // np.clip: NaN stays NaN
    t[c] = v;
  }
  return t;
}

export function thresholdsFromGroups(g: ClassGroups, k: number): Float64Array {
  const sums = new Float64Array(k);
  for (let c = 0; c < k; c++) sums[c] = pairwiseSum(g.selfConf, g.classStart[c]!, g.classStart[c + 1]!);
  return thresholdsFromSums(sums, g.counts);
}

/** Per-class thresholds t[k] (§3): mean self-confidence (pairwise sum), 2 if absent, ≥ 2e-6. */
export function getConfidentThresholds(labels: Int32Array, pp: ProbMatrix): Float64Array {
  return thresholdsFromGroups(groupByClass(labels, pp), pp.k);
}

/** c[k]: number of rows with given label k, zeros for absent classes. */
export function labelCounts(labels: Int32Array, k: number): Float64Array {
  const c = new Float64Array(k);
  for (let i = 0, n = labels.length; i < n; i++) {
    const s = labels[i]!;
    if (s < 0 || s >= k) {
      throw new InputError('labels', `labels[${i}] = ${s} is not a class index in [0, ${k - 1}].`, { row: i });
    }
    c[s]!++;
  }
  return c;
}
