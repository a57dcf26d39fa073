/**
 * Multi-label thresholds, confident joint and joint (spec A4): the single-label quantities
 * of src/core/count.ts computed on each class's binary problem (binary.ts).
 */
import { computeConfidentJointFull, estimateJoint, getConfidentThresholds, type SumOrder, type TieOrder } from '../count.js';
import { InputError } from '../errors.js';
import type { Matrix, ProbMatrix } from '../types.js';
import { binaryProblem } from './binary.js';
import { oneHot, type LabelLists } from './types.js';

function checkShapes(labels: LabelLists, pp: ProbMatrix): void {
  if (labels.n !== pp.n) {
    throw new InputError('pred_probs', `pred_probs has ${pp.n} rows but labels has ${labels.n} lists; they must have the same length.`);
  }
}

/** `get_confident_thresholds(..., multi_label=True)`: K×2, row c = (absent, present) thresholds. */
export function getConfidentThresholdsMultilabel(labels: LabelLists, pp: ProbMatrix): Matrix {
  checkShapes(labels, pp);
  const y = oneHot(labels, pp.k);
  const out: Matrix = [];
  for (let c = 0; c < pp.k; c++) {
    const b = binaryProblem(y, pp, c);
    out.push(Array.from(getConfidentThresholds(b.labels, b.pp)));
  }
  return out;
}

export interface MultilabelConfidentJoint {
  /** K × 2 × 2; [c][given][guessed], index 0 = absent, 1 = present. */
  confidentJoint: Matrix[];
  /** Per class, the rows counted off the diagonal (increasing). */
  offDiagonalIndices: Int32Array[];
}

/**
 * `compute_confident_joint(..., multi_label=True)`: per class, §4 on (y_c, B_c), calibrated
 * per §5 with y_c when `calibrate` (default true). A supplied `thresholds` vector (length 2)
 * is passed unchanged to every class. No input validation (as cleanlab).
 */
export function computeConfidentJointMultilabel(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { calibrate?: boolean; thresholds?: ArrayLike<number>; tieOrder?: TieOrder } = {},
): MultilabelConfidentJoint {
  checkShapes(labels, pp);
  const y = oneHot(labels, pp.k);
  const confidentJoint: Matrix[] = [];
  const offDiagonalIndices: Int32Array[] = [];
  for (let c = 0; c < pp.k; c++) {
    const b = binaryProblem(y, pp, c);
    const full = computeConfidentJointFull(b.labels, b.pp, {
      ...(opts.thresholds !== undefined ? { thresholds: opts.thresholds } : {}),
      tieOrder: opts.tieOrder ?? 'stable',
    });
    confidentJoint.push(opts.calibrate === false ? full.confidentJoint : full.calibrated);
    offDiagonalIndices.push(full.offDiagonalIndices);
  }
  return { confidentJoint, offDiagonalIndices };
}

/** Validate a supplied K×2×2 confident joint; flat row-major 2×2 blocks. */
export function flattenMultilabelConfidentJoint(cj: readonly Matrix[], k: number, field = 'confident_joint'): Float64Array[] {
  if (cj.length !== k || cj.some((m) => m.length !== 2 || m.some((r) => r.length !== 2))) {
    throw new InputError(field, `${field} should be of shape (num_classes, 2, 2) = (${k}, 2, 2).`);
  }
  return cj.map((m) => Float64Array.from([m[0]![0]!, m[0]![1]!, m[1]![0]!, m[1]![1]!]));
}

/**
 * `estimate_joint(..., multi_label=True)`: per class the calibrated 2×2 divided by its total
 * (core `estimateJoint` on the binary problem). A supplied K×2×2 confident joint is
 * calibrated per class with y_c first, summed in `sumOrder` (default 'row': cleanlab's
 * multi-label confident joint is a fresh C-order array).
 */
export function estimateJointMultilabel(
  labels: LabelLists,
  pp: ProbMatrix | undefined,
  opts: { confidentJoint?: readonly Matrix[]; sumOrder?: SumOrder; tieOrder?: TieOrder } = {},
): Matrix[] {
  const tieOrder = opts.tieOrder ?? 'stable';
  if (opts.confidentJoint !== undefined) {
    const k = opts.confidentJoint.length;
    flattenMultilabelConfidentJoint(opts.confidentJoint, k);
    const y = oneHot(labels, k);
    return opts.confidentJoint.map((m, c) => {
      const yc = new Int32Array(labels.n);
      for (let i = 0; i < labels.n; i++) yc[i] = y[i * k + c]!;
      return estimateJoint(yc, null, { confidentJoint: m, sumOrder: opts.sumOrder ?? 'row', tieOrder });
    });
  }
  if (pp === undefined) throw new InputError('pred_probs', 'pred_probs are required when no confident_joint is supplied.');
  checkShapes(labels, pp);
  const y = oneHot(labels, pp.k);
  const out: Matrix[] = [];
  for (let c = 0; c < pp.k; c++) {
    const b = binaryProblem(y, pp, c);
    out.push(estimateJoint(b.labels, b.pp, { tieOrder }));
  }
  return out;
}
