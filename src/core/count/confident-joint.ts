/** The confident joint (§4) assembled from the kernels' counts: diagonal clip, calibration, the shared ConfidentJointResult. */
import type { TieOrder } from '../argsort.js';
import { calibrateSparse, nonzeroPositions } from '../sparse.js';
import type { Matrix, ProbMatrix } from '../types.js';
import { calibrateFlat, denseRowRounding } from './calibrate.js';
import { checkThresholds, type ConfidentJointCounts, confidentJointPass } from './kernels.js';
import { toMatrix } from './matrix.js';
import { groupByClass, labelCounts, thresholdsFromGroups } from './thresholds.js';

export interface ConfidentJointResult {
  thresholds: Float64Array;
  /** c[k], zeros for absent classes */
  labelCounts: Float64Array;
  /** UNcalibrated, diagonal clipped to ≥ 1 (§4), integers; rows = given label */
  confidentJoint: Matrix;
  /** rows counted off the diagonal (§4), increasing */
  offDiagonalIndices: Int32Array;
  /** calibrated (§5), summed column-major as cleanlab does for its own confident joint */
  calibrated: Matrix;
  // ---- extras shared by filter/rank/dataset so they need no further pass over N×K
  n: number;
  k: number;
  /** the same matrices, flat row-major */
  confidentJointFlat: Float64Array;
  calibratedFlat: Float64Array;
  /** rows grouped by given label: classRows[classStart[k] .. classStart[k+1]) */
  classStart: Int32Array;
  classRows: Int32Array;
  /** min(0, smallest value of pred_probs) and max(1, largest value), NaN ignored: enough for range checks */
  minValue: number;
  maxValue: number;
  /** off-diagonal rows kept by the near-argmax filter = num_label_issues(off_diagonal) */
  numOffDiagonalIssues: number;
  /** tie rule used for the calibration's rounding */
  tieOrder: TieOrder;
  /**
   * Row-major positions of the entries that are not +0 (see sparse.ts), or null when the
   * matrix holds a −0 or the dense path ran: lets the K×K steps skip the zeros.
   */
  confidentJointNonzeros: Int32Array | null;
  calibratedNonzeros: Int32Array | null;
}

/**
 * Thresholds, the confident joint (raw, diagonal-clipped), its off-diagonal rows and the
 * calibrated joint — one pass over the labels, one gather, ONE pass over N×K.
 * No cleanlab-style validation (compute_confident_joint does none), but labels must be
 * class indices in [0, K).
 */
export function computeConfidentJointFull(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { thresholds?: ArrayLike<number>; tieOrder?: TieOrder } = {},
): ConfidentJointResult {
  const k = pp.k;
  const groups = groupByClass(labels, pp);
  let thresholds: Float64Array;
  if (opts.thresholds) {
    checkThresholds(opts.thresholds, k);
    thresholds = Float64Array.from(opts.thresholds);
  } else {
    thresholds = thresholdsFromGroups(groups, k);
  }
  const pass = confidentJointPass(labels, pp, thresholds);
  return confidentJointFromCounts(pass, Float64Array.from(groups.counts), thresholds, {
    n: pp.n,
    tieOrder: opts.tieOrder ?? 'stable',
    classStart: groups.classStart,
    classRows: groups.classRows,
  });
}

/**
 * A ConfidentJointResult from raw kernel counts (countConfidentJoint, possibly summed over
 * row chunks): the diagonal clipped to ≥ 1 (§4, in place of `c.counts`), then calibrated
 * (§5). `labelCounts` are c[k] of all rows; the per-row extras (off-diagonal rows, rows
 * grouped by class) are empty unless given.
 */
export function confidentJointFromCounts(
  c: ConfidentJointCounts,
  labelCounts: Float64Array,
  thresholds: Float64Array,
  opts: { n: number; tieOrder?: TieOrder; classStart?: Int32Array; classRows?: Int32Array },
): ConfidentJointResult {
  const k = labelCounts.length;
  const ties = opts.tieOrder ?? 'stable';
  const cj = c.counts;
  if (cj.length !== k * k) throw new RangeError(`confidentJointFromCounts: ${cj.length} counts for ${k} classes`);
  for (let i = 0; i < k; i++) if (cj[i * k + i]! < 1) cj[i * k + i] = 1;
  const cjNonzeros = ties === 'stable' ? nonzeroPositions(cj) : null;
  const sparse = cjNonzeros ? calibrateSparse(cj, k, labelCounts, true, cjNonzeros, denseRowRounding(k)) : null;
  const calibrated = sparse ? sparse.out : calibrateFlat(cj, k, labelCounts, 'column', ties);
  // the nested-array views are built on first use (K×K arrays are large for big K)
  let cjMatrix: Matrix | undefined;
  let calMatrix: Matrix | undefined;
  return {
    thresholds,
    labelCounts,
    get confidentJoint(): Matrix {
      return (cjMatrix ??= toMatrix(cj, k));
    },
    offDiagonalIndices: c.offDiagonal,
    get calibrated(): Matrix {
      return (calMatrix ??= toMatrix(calibrated, k));
    },
    n: opts.n,
    k,
    confidentJointFlat: cj,
    calibratedFlat: calibrated,
    classStart: opts.classStart ?? new Int32Array(0),
    classRows: opts.classRows ?? new Int32Array(0),
    minValue: c.min,
    maxValue: c.max,
    numOffDiagonalIssues: c.offDiagonalIssues,
    tieOrder: ties,
    confidentJointNonzeros: cjNonzeros,
    calibratedNonzeros: sparse ? sparse.pattern : null,
  };
}

/** cleanlab `compute_confident_joint` (calibrate defaults to true). */
export function computeConfidentJoint(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { calibrate?: boolean; thresholds?: ArrayLike<number>; tieOrder?: TieOrder } = {},
): Matrix {
  const full = computeConfidentJointFull(labels, pp, opts);
  return opts.calibrate === false ? full.confidentJoint : full.calibrated;
}
