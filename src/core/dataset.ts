/**
 * cleanlab `dataset`: class-level label health (spec §12). Records come in cleanlab's row
 * order; keys are camelCase (the API layer maps them to cleanlab's snake_case columns).
 */
import { argsortBy, type TieOrder } from './argsort.js';
import {
  estimateJointFlat,
  fromMatrix,
  numLabelIssues,
  numLabelIssuesFromCounts,
  toMatrix,
  type ConfidentJointResult,
  type SumOrder,
} from './count.js';
import { InputError } from './errors.js';
import { pairwiseSum, pairwiseSumStrided, roundHalfEven } from './numeric.js';
import { gather, rowPointers, sequentialRowColSums, sparseRowSum } from './sparse.js';
import type { Matrix, ProbMatrix } from './types.js';

export interface ClassHealth {
  classIndex: number;
  labelIssues: number;
  inverseLabelIssues: number;
  labelNoise: number;
  inverseLabelNoise: number;
  labelQualityScore: number;
}

export interface OverlappingPair {
  classIndexA: number;
  classIndexB: number;
  numOverlappingExamples: number;
  jointProbability: number;
}

interface JointSource {
  numExamples?: number;
  joint?: Matrix;
  /** the joint as estimateJointFlat returns it (row-major K×K), instead of `joint` */
  jointFlat?: { flat: Float64Array; k: number; nonzeros?: Int32Array | null };
  confidentJoint?: Matrix;
  precomputed?: ConfidentJointResult;
  /** memory order of a supplied confident joint for its calibration (default 'column') */
  sumOrder?: SumOrder;
  tieOrder?: TieOrder;
}

function jointOf(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: JointSource,
): { flat: Float64Array; k: number; nonzeros?: Int32Array | null } {
  if (opts.jointFlat) {
    const { flat, k } = opts.jointFlat;
    if (flat.length !== k * k) throw new InputError('joint', `joint must be ${k}×${k}; got ${flat.length} values.`);
    return opts.jointFlat;
  }
  if (opts.joint) return fromMatrix(opts.joint, 'joint');
  return estimateJointFlat(labels, pp, {
    ...(opts.confidentJoint ? { confidentJoint: opts.confidentJoint } : {}),
    ...(opts.precomputed ? { precomputed: opts.precomputed } : {}),
    sumOrder: opts.sumOrder ?? 'column',
    tieOrder: opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable',
  });
}

/** cleanlab `_get_num_examples`: num_examples, else len(labels), else the supplied CJ's total. */
function numExamplesOf(labels: Int32Array | null | undefined, opts: JointSource, allowCj: boolean): number {
  if (opts.numExamples !== undefined) return opts.numExamples;
  if (labels) return labels.length;
  if (allowCj && opts.confidentJoint) {
    let s = 0;
    for (const row of opts.confidentJoint) for (const v of row) s += v;
    return s;
  }
  throw new InputError('labels', 'num_examples (or labels) is required to count issues.');
}

/**
 * pandas `sort_values` order of one column (nargsort): NaN last; descending = reverse,
 * ascending argsort, reverse back.
 */
function pandasOrder(values: Float64Array, ascending: boolean, ties: TieOrder): Int32Array {
  const n = values.length;
  const nonNan: number[] = [];
  const nan: number[] = [];
  for (let i = 0; i < n; i++) (values[i]! === values[i]! ? nonNan : nan).push(i);
  if (!ascending) nonNan.reverse();
  const keys = new Float64Array(nonNan.length);
  for (let t = 0; t < nonNan.length; t++) keys[t] = values[nonNan[t]!]!;
  const ord = argsortBy(keys, ties);
  const out = new Int32Array(n);
  const m = nonNan.length;
  for (let t = 0; t < m; t++) out[ascending ? t : m - 1 - t] = nonNan[ord[t]!]!;
  for (let t = 0; t < nan.length; t++) out[m + t] = nan[t]!;
  return out;
}

function classHealthFromJoint(j: Float64Array, k: number, nEx: number, ties: TieOrder, nonzeros?: Int32Array | null): ClassHealth[] {
  const records: ClassHealth[] = new Array(k);
  const lqs = new Float64Array(k);
  let colsum: Float64Array;
  let rowSum: (c: number) => number;
  if (nonzeros) {
    // the same sums on the joint's nonzero pattern (sparse.ts)
    colsum = sequentialRowColSums(j, nonzeros, k).cs;
    const vals = gather(j, nonzeros);
    const ptr = rowPointers(nonzeros, k);
    rowSum = (c) => sparseRowSum(nonzeros, vals, ptr, c, k);
  } else {
    colsum = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let c = 0; c < k; c++) colsum[c] = colsum[c]! + j[i * k + c]!;
    rowSum = (c) => pairwiseSum(j, c * k, c * k + k);
  }
  for (let c = 0; c < k; c++) {
    const r = rowSum(c);
    const q = colsum[c]!;
    const d = j[c * k + c]!;
    const given = r - d;
    const inverse = q - d;
    const labelNoise = given / (r > 1e-6 ? r : r !== r ? r : 1e-6);
    const inverseLabelNoise = inverse / (q > 1e-6 ? q : q !== q ? q : 1e-6);
    lqs[c] = 1 - labelNoise;
    records[c] = {
      classIndex: c,
      labelIssues: roundHalfEven(given * nEx),
      inverseLabelIssues: roundHalfEven(inverse * nEx),
      labelNoise,
      inverseLabelNoise,
      labelQualityScore: lqs[c]!,
    };
  }
  const ord = pandasOrder(lqs, true, ties);
  return Array.from(ord, (c) => records[c]!);
}

/** cleanlab `rank_classes_by_label_quality`: one record per class, worst quality first (S6). */
export function rankClassesByLabelQuality(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: JointSource = {},
): ClassHealth[] {
  const { flat, k, nonzeros } = jointOf(labels, pp, opts);
  const nEx = numExamplesOf(labels, opts, false);
  return classHealthFromJoint(flat, k, nEx, opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable', nonzeros);
}

/**
 * cleanlab `overall_label_health_score`: 1 − num_label_issues / num_examples when labels and
 * pred_probs are given, else trace of the joint.
 */
export function overallLabelHealthScore(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: JointSource & { warnings?: string[] } = {},
): number {
  const nEx = numExamplesOf(labels, opts, true);
  if (labels && pp) {
    const issues = numLabelIssues(labels, pp, {
      ...(opts.confidentJoint ? { confidentJoint: opts.confidentJoint } : {}),
      ...(opts.precomputed ? { precomputed: opts.precomputed } : {}),
      ...(opts.warnings ? { warnings: opts.warnings } : {}),
    });
    return 1 - issues / nEx;
  }
  const { flat, k } = jointOf(labels, pp, opts);
  return pairwiseSumStrided(flat, 0, k, k + 1);
}

/**
 * overallLabelHealthScore of labels and pred_probs (1 − num_label_issues / num_examples)
 * from a ConfidentJointResult assembled from counts (see numLabelIssuesFromCounts).
 */
export function overallLabelHealthScoreFromCounts(pre: ConfidentJointResult, numExamples: number = pre.n): number {
  return 1 - numLabelIssuesFromCounts(pre) / numExamples;
}

function overlapFromJoint(j: Float64Array, k: number, nEx: number, asymmetric: boolean, ties: TieOrder): OverlappingPair[] {
  const pairs: OverlappingPair[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      if (asymmetric ? a === b : a >= b) continue;
      const v = asymmetric ? j[a * k + b]! : j[a * k + b]! + j[b * k + a]!;
      pairs.push({ classIndexA: a, classIndexB: b, numOverlappingExamples: roundHalfEven(v * nEx), jointProbability: v });
    }
  }
  const vals = Float64Array.from(pairs, (p) => p.jointProbability);
  const ord = pandasOrder(vals, false, ties);
  return Array.from(ord, (t) => pairs[t]!);
}

/** cleanlab `find_overlapping_classes`: class pairs by joint probability, descending (S7). */
export function findOverlappingClasses(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: JointSource & { asymmetric?: boolean } = {},
): OverlappingPair[] {
  const { flat, k } = jointOf(labels, pp, opts);
  const nEx = numExamplesOf(labels, opts, true);
  return overlapFromJoint(flat, k, nEx, opts.asymmetric ?? false, opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable');
}

export interface HealthSummary {
  overallLabelHealthScore: number;
  joint: Matrix;
  classesByLabelQuality: ClassHealth[];
  overlappingClasses: OverlappingPair[];
}

/** cleanlab `health_summary`: the joint once, then the three tables. */
export function healthSummary(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: JointSource & { asymmetric?: boolean; warnings?: string[] } = {},
): HealthSummary {
  const { flat, k, nonzeros } = jointOf(labels, pp, opts);
  const nEx = numExamplesOf(labels, opts, false);
  const ties = opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable';
  const classesByLabelQuality = classHealthFromJoint(flat, k, nEx, ties, nonzeros);
  const overlappingClasses = overlapFromJoint(flat, k, nEx, opts.asymmetric ?? false, ties);
  const overall = overallLabelHealthScore(labels, pp, {
    numExamples: nEx,
    ...(opts.confidentJoint ? { confidentJoint: opts.confidentJoint } : {}),
    ...(opts.precomputed ? { precomputed: opts.precomputed } : {}),
    ...(opts.warnings ? { warnings: opts.warnings } : {}),
  });
  return { overallLabelHealthScore: overall, joint: toMatrix(flat, k), classesByLabelQuality, overlappingClasses };
}
