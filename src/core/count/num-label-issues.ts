/** cleanlab `num_label_issues` (§8). */
import type { SumOrder } from './calibrate.js';
import type { TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSumStrided, roundHalfEven } from '../numeric.js';
import { isOneOf, type Matrix, NUM_LABEL_ISSUES_METHODS, type NumLabelIssuesMethod, type ProbMatrix } from '../types.js';
import { computeConfidentJointFull, type ConfidentJointResult } from './confident-joint.js';
import { estimateJointFlat, normaliseJoint } from './joint.js';
import { clampedRange } from './kernels.js';
import { labelCounts } from './thresholds.js';
import { assertValidLabelCounts, assertValidLabels, assertValidRange } from './validate.js';

/** Off-diagonal rows that survive the near-argmax filter (§10.9) = num_label_issues(off_diagonal). */
export function countOffDiagonalIssues(pre: ConfidentJointResult): number {
  return pre.numOffDiagonalIssues;
}

function traceOf(flat: Float64Array, k: number): number {
  return pairwiseSumStrided(flat, 0, k, k + 1);
}

export const CONFIDENT_JOINT_IGNORED_WARNING =
  'The supplied `confident_joint` is ignored as `confident_joint` is recomputed internally using the supplied `labels` and `pred_probs`. If you still want to use custom `confident_joint` call function with `estimation_method=\'off_diagonal_custom\'`.';

/** cleanlab `num_label_issues` (validates its inputs; one class not allowed). */
export function numLabelIssues(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: {
    estimationMethod?: NumLabelIssuesMethod;
    confidentJoint?: Matrix;
    precomputed?: ConfidentJointResult;
    sumOrder?: SumOrder;
    tieOrder?: TieOrder;
    warnings?: string[];
  } = {},
): number {
  const method = opts.estimationMethod ?? 'off_diagonal';
  if (opts.confidentJoint && method !== 'off_diagonal_custom') opts.warnings?.push(CONFIDENT_JOINT_IGNORED_WARNING);
  assertValidLabels(labels, pp, false);
  const known = isOneOf(NUM_LABEL_ISSUES_METHODS, method);
  const ties = opts.tieOrder ?? opts.precomputed?.tieOrder ?? 'stable';
  const pre =
    known && method !== 'off_diagonal_custom'
      ? (opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: ties }))
      : opts.precomputed;
  assertValidRange(pre ? rangeOf(pre) : clampedRange(pp));
  if (!known) {
    throw new InputError(
      'estimation_method',
      `estimation_method '${String(method)}' is not a valid method; choose one of: ${NUM_LABEL_ISSUES_METHODS.join(', ')}.`,
    );
  }
  if (method === 'off_diagonal_custom') {
    if (!opts.confidentJoint) {
      throw new InputError(
        'confident_joint',
        "estimation_method='off_diagonal_custom' requires a confident_joint; none was supplied.",
      );
    }
    const { flat, k } = estimateJointFlat(labels, pp, {
      confidentJoint: opts.confidentJoint,
      sumOrder: opts.sumOrder ?? 'column',
      tieOrder: ties,
    });
    return roundHalfEven((1.0 - traceOf(flat, k)) * labels.length);
  }
  if (method === 'off_diagonal') return countOffDiagonalIssues(pre!);
  const j = normaliseJoint(pre!.calibratedFlat);
  return roundHalfEven((1.0 - traceOf(j, pre!.k)) * labels.length);
}

/**
 * num_label_issues (off_diagonal) of a ConfidentJointResult assembled from counts
 * (confidentJointFromCounts over row chunks), with numLabelIssues' input checks done on
 * the class counts and the value range instead of N-long arrays.
 */
export function numLabelIssuesFromCounts(pre: ConfidentJointResult): number {
  assertValidLabelCounts(pre.labelCounts, false);
  assertValidRange(rangeOf(pre));
  return countOffDiagonalIssues(pre);
}

export function rangeOf(pre: ConfidentJointResult): { min: number; max: number } {
  return { min: pre.minValue, max: pre.maxValue };
}
