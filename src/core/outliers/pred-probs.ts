/**
 * Outlier scores from pred_probs (spec task-types.md F2): optional adjustment by the
 * confident thresholds (the single-label engine's thresholds and row adjustment), then
 * `entropy`, `least_confidence` or `gen`.
 */
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import { adjustRow, makeRowScorer, normalizedEntropy } from '../rank.js';
import type { ProbMatrix } from '../types.js';

export type OodMethod = 'entropy' | 'least_confidence' | 'gen';
export const OOD_METHODS: readonly OodMethod[] = ['entropy', 'least_confidence', 'gen'];

export function assertOodMethod(method: unknown): asserts method is OodMethod {
  if (!OOD_METHODS.includes(method as OodMethod)) {
    throw new InputError(
      'params.method',
      `${String(method)} is not a valid OOD scoring method!\n            Please choose a valid scoring_method: ('entropy', 'least_confidence', 'gen')`,
    );
  }
}

export const GEN_WARNING = (m: number): string =>
  `GEN with the default hyperparameter settings is intended for datasets with at least ${m} classes. You can adjust params['M'] according to the number of classes in your dataset.`;

/**
 * OOD scores of pred_probs (higher = more in-distribution). `thresholds`: adjust the rows
 * with them (null = no adjustment). Warnings go to `warnings`.
 */
export function predProbsOodScores(
  pp: ProbMatrix,
  opts: { method: OodMethod; thresholds: ArrayLike<number> | null; M: number; gamma: number },
  warnings: string[],
): Float64Array {
  const { n, k, data } = pp;
  const method = opts.method;
  const scorer = opts.thresholds ? makeRowScorer('self_confidence', k, opts.thresholds) : null;
  const row = new Float64Array(k);
  const buf = new Float64Array(k);
  const out = new Float64Array(n);
  if (method === 'gen' && k < opts.M) warnings.push(GEN_WARNING(opts.M));
  const take = Math.min(opts.M, k);
  for (let i = 0; i < n; i++) {
    if (scorer) adjustRow(scorer, data, i * k, row);
    else for (let j = 0; j < k; j++) row[j] = data[i * k + j]!;
    if (method === 'entropy') {
      for (let j = 0; j < k; j++) {
        const p = row[j]!;
        if (p < 0 || p > 1) throw new InputError('pred_probs', 'All probabilities are required to be in the interval [0, 1].', { row: i, column: j });
      }
      out[i] = 1.0 - normalizedEntropy(row, 0, k, buf);
    } else if (method === 'least_confidence') {
      let mx = row[0]!;
      for (let j = 1; j < k; j++) {
        const v = row[j]!;
        if (v > mx || v !== v) mx = v;
      }
      out[i] = mx;
    } else {
      // GEN: q = exp(p) / PSUM(exp(p)) (no max shift), the largest min(M, K), ascending
      for (let j = 0; j < k; j++) buf[j] = Math.exp(row[j]!);
      const s = pairwiseSum(buf, 0, k);
      for (let j = 0; j < k; j++) row[j] = buf[j]! / s;
      row.sort();
      const g = opts.gamma;
      for (let j = 0; j < take; j++) {
        const q = row[k - take + j]!;
        buf[j] = Math.pow(q, g) * Math.pow(1 - q, g);
      }
      out[i] = 1 - pairwiseSum(buf, 0, take) / opts.M;
    }
  }
  return out;
}
