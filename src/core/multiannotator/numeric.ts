/**
 * Thin wrappers over the core's numpy-exact arithmetic (src/core/numeric.ts) for the
 * shapes the multi-annotator code uses. No formula of its own beyond "sum / count".
 */
import { pairwiseSum } from '../numeric.js';

/** numpy `np.sum` of a contiguous float64 vector (pairwise, R3). */
export function sumOf(xs: ArrayLike<number>): number {
  return pairwiseSum(xs, 0, xs.length);
}

/** numpy `np.mean` of a contiguous float64 vector: pairwise sum / length (NaN if empty). */
export function meanOf(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  return sumOf(xs) / xs.length;
}
