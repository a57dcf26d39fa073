/** Input checks of cleanlab's count functions (confident-learning.md §1): labels, value range. */
import { InputError } from '../errors.js';
import type { ProbMatrix } from '../types.js';
import { clampedRange } from './kernels.js';

/** Allow a single distinct label: never, always, or only when every label is 0. */
export type OneClassRule = boolean | 'zero-only';

/** Min and max of pred_probs ignoring NaN (NaN passes cleanlab's range check). */
export function valueRange(pp: ProbMatrix): { min: number; max: number } {
  const d = pp.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0, e = d.length; i < e; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * The label and shape checks of cleanlab's `assert_valid_inputs` (V5, V6, V8, V9, V10 of §1,
 * in that order; V1–V4 and V7 hold by the types).
 */
export function assertValidLabels(labels: Int32Array, pp: ProbMatrix, allowOneClass: OneClassRule = false): void {
  const n = labels.length;
  if (n === 0) throw emptyLabelsError();
  let min = labels[0]!;
  let max = min;
  let minRow = 0;
  let distinct = false;
  const first = labels[0]!;
  for (let i = 1; i < n; i++) {
    const v = labels[i]!;
    if (v < min) {
      min = v;
      minRow = i;
    }
    if (v > max) max = v;
    if (v !== first) distinct = true;
  }
  if (min < 0) {
    throw new InputError('labels', 'Labels must be positive integers corresponding to class indices.', { row: minRow });
  }
  assertTwoClasses(distinct, first, allowOneClass);
  if (pp.n !== n) throw new InputError('pred_probs', 'pred_probs and labels must have same length.');
  if (pp.data.length !== pp.n * pp.k || pp.k < 1) {
    throw new InputError('pred_probs', 'pred_probs array must have shape: num_examples x num_classes.');
  }
  if (pp.k < max + 1) {
    throw new InputError(
      'pred_probs',
      `pred_probs must have at least ${max + 1} columns, based on the largest class index which appears in labels.`,
    );
  }
}

function emptyLabelsError(): InputError {
  return new InputError('labels', 'labels is empty: at least one example is required.');
}

/** V8: at least two distinct labels, unless `rule` allows one class (`first` = the first label). */
function assertTwoClasses(distinct: boolean, first: number, rule: OneClassRule): void {
  const oneClassOk = rule === true || (rule === 'zero-only' && first === 0);
  if (!distinct && !oneClassOk) throw new InputError('labels', 'Labels must contain at least 2 classes.');
}

/**
 * assertValidLabels from the class counts c[k] alone, for labels already known to be class
 * indices in [0, K) (e.g. merged over row chunks): the checks that can still fail are
 * "empty" and "at least 2 classes" — with one class present, the first label is that class.
 */
export function assertValidLabelCounts(counts: ArrayLike<number>, allowOneClass: OneClassRule = false): void {
  let total = 0;
  let present = 0;
  let first = -1;
  for (let c = 0; c < counts.length; c++) {
    const m = counts[c]!;
    if (m > 0) {
      total += m;
      present++;
      if (first < 0) first = c;
    }
  }
  if (total === 0) throw emptyLabelsError();
  assertTwoClasses(present > 1, first, allowOneClass);
}

/** V11: every value within [-1e-6, 1 + 1e-6] (NaN passes, as in cleanlab). */
export function assertValidRange(range: { min: number; max: number }): void {
  if (range.min < 0 - 1e-6 || range.max > 1 + 1e-6) {
    throw new InputError('pred_probs', 'Values in pred_probs must be between 0 and 1.');
  }
}

/**
 * cleanlab's `assert_valid_inputs` for multiclass data, in its order. `range` (min/max of
 * pred_probs ignoring NaN) avoids a pass over pred_probs when already known.
 */
export function assertValidInputs(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: { allowOneClass?: OneClassRule; range?: { min: number; max: number } } = {},
): void {
  assertValidLabels(labels, pp, opts.allowOneClass ?? false);
  assertValidRange(opts.range ?? clampedRange(pp));
}
