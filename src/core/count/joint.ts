/** The joint J = calibrated C / ΣC (§6). */
import type { TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import { sparseTotal } from '../sparse.js';
import type { Matrix, ProbMatrix } from '../types.js';
import { calibrateFlat, type SumOrder } from './calibrate.js';
import { computeConfidentJointFull, type ConfidentJointResult } from './confident-joint.js';
import { fromMatrix, toMatrix } from './matrix.js';
import { labelCounts } from './thresholds.js';

export function normaliseJoint(c: Float64Array): Float64Array {
  const total = pairwiseSum(c);
  const den = total > 1e-100 ? total : total !== total ? total : 1e-100;
  const j = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) j[i] = c[i]! / den;
  return j;
}

/** Flat joint J = calibrated C / ΣC (see estimateJoint). */
export function estimateJointFlat(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: {
    confidentJoint?: Matrix;
    sumOrder?: SumOrder;
    precomputed?: ConfidentJointResult;
    tieOrder?: TieOrder;
  } = {},
): { flat: Float64Array; k: number; nonzeros?: Int32Array | null } {
  if (opts.confidentJoint) {
    const { flat, k } = fromMatrix(opts.confidentJoint);
    if (!labels) return { flat: normaliseJoint(flat), k };
    const counts = labelCounts(labels, k);
    return { flat: normaliseJoint(calibrateFlat(flat, k, counts, opts.sumOrder ?? 'column', opts.tieOrder ?? 'stable')), k };
  }
  const pre = opts.precomputed ?? requirePre(labels, pp, opts.tieOrder);
  const nz = pre.calibratedNonzeros;
  if (nz) {
    // normaliseJoint on the pattern: 0 / den is +0 for the den ≥ 1e-100 a non-NaN total gives
    const c = pre.calibratedFlat;
    const total = sparseTotal(c, nz);
    if (total === total) {
      const den = total > 1e-100 ? total : 1e-100;
      const j = new Float64Array(c.length);
      let pattern: Int32Array | null = nz;
      for (let t = 0; t < nz.length; t++) {
        const v = c[nz[t]!]! / den;
        if (v === 0) pattern = null; // an underflow to ±0: no pattern for the joint
        j[nz[t]!] = v;
      }
      return { flat: j, k: pre.k, nonzeros: pattern };
    }
  }
  return { flat: normaliseJoint(pre.calibratedFlat), k: pre.k };
}

function requirePre(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  ties: TieOrder | undefined,
): ConfidentJointResult {
  if (!labels || !pp) {
    throw new InputError('labels', 'labels and pred_probs are required when no confident_joint (or joint) is supplied.');
  }
  return computeConfidentJointFull(labels, pp, { tieOrder: ties ?? 'stable' });
}

/**
 * cleanlab `estimate_joint`: calibrated confident joint divided by its total. A supplied
 * confident joint is calibrated when labels are given (summed in `sumOrder`, default
 * 'column' = cleanlab's own CJ), used as is otherwise.
 */
export function estimateJoint(
  labels: Int32Array | null | undefined,
  pp: ProbMatrix | null | undefined,
  opts: { confidentJoint?: Matrix; sumOrder?: SumOrder; precomputed?: ConfidentJointResult; tieOrder?: TieOrder } = {},
): Matrix {
  const { flat, k } = estimateJointFlat(labels, pp, opts);
  return toMatrix(flat, k);
}
