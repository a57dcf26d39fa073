/**
 * cleanlab `count`: input checks, per-class thresholds, the confident joint (raw and
 * calibrated), the joint, latent estimates (py, noise matrices) and `num_label_issues`.
 * Spec: confident-learning.md §1, §3–§8. Everything is float64; N×K inputs are read in one
 * or two passes; K×K work uses flat row-major Float64Arrays. One idea per file:
 *
 *   count/validate.ts         input checks (§1)
 *   count/thresholds.ts       class grouping, thresholds t[k] (§3)
 *   count/kernels.ts          the float32/float64 row kernels of the confident joint (§4)
 *   count/confident-joint.ts  ConfidentJointResult: clip + calibrate the kernels' counts (§4)
 *   count/calibrate.ts        calibration, ROUND_PRESERVING_SUM (§5)
 *   count/joint.ts            the joint (§6)
 *   count/latent.ts           py, noise matrix, inverse (§7)
 *   count/num-label-issues.ts num_label_issues (§8)
 *   count/matrix.ts           flat ⇄ nested K×K matrices
 */
export type { TieOrder } from './argsort.js';
export { NUM_LABEL_ISSUES_METHODS, PY_METHODS } from './types.js';
export * from './count/matrix.js';
export * from './count/validate.js';
export * from './count/thresholds.js';
export * from './count/kernels.js';
export * from './count/confident-joint.js';
export * from './count/calibrate.js';
export * from './count/joint.js';
export * from './count/latent.js';
export * from './count/num-label-issues.js';
