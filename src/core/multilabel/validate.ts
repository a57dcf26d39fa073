/**
 * Multi-label input checks (spec A1, A3, A6.3), with messages a notebook user understands.
 * The cleanlab error each one corresponds to is named in the message where useful.
 */
import { valueRange } from '../count.js';
import { InputError } from '../errors.js';
import type { ProbMatrix } from '../types.js';
import { maxClass, type LabelLists } from './types.js';

/**
 * The top-level check of `filter.find_label_issues(..., multi_label=True)` and of the
 * multi-label `get_label_quality_scores` (A1): same length, K ≥ largest class + 1 (fails
 * when every list is empty), values within [−1e-6, 1 + 1e-6]. Rows need not sum to 1.
 */
export function assertValidMultilabelInputs(labels: LabelLists, pp: ProbMatrix): void {
  if (labels.n === 0) throw new InputError('labels', 'labels is empty: at least one example is required.');
  if (pp.n !== labels.n) {
    throw new InputError('pred_probs', `pred_probs has ${pp.n} rows but labels has ${labels.n} lists; they must have the same length.`);
  }
  const mx = maxClass(labels);
  if (mx < 0) {
    throw new InputError('labels', 'Every label list is empty; multi-label data needs at least one example with a class.');
  }
  if (pp.k < mx + 1) {
    throw new InputError(
      'pred_probs',
      `pred_probs has ${pp.k} columns but labels use class ${mx}; pred_probs needs at least ${mx + 1} columns (one per class).`,
    );
  }
  const r = valueRange(pp);
  if (r.min < 0 - 1e-6 || r.max > 1 + 1e-6) {
    throw new InputError('pred_probs', 'Values in pred_probs must be between 0 and 1 (each is a per-class probability).');
  }
}

/**
 * A6.3 / A5.2: the one-hot matrix must hold both 0 and 1 and K ≥ 2 ("Labels must be in
 * multi-label format.").
 */
export function assertMultilabelFormat(y: Uint8Array, k: number, what = 'labels'): void {
  let zeros = false;
  let ones = false;
  for (let j = 0; j < y.length && !(zeros && ones); j++) {
    if (y[j] === 1) ones = true;
    else zeros = true;
  }
  if (!zeros || !ones || k < 2) {
    const why =
      k < 2
        ? 'pred_probs must have at least 2 columns'
        : !ones
          ? 'no example has any class'
          : 'every example has every class';
    throw new InputError('labels', `Labels must be in multi-label format: ${why} (${what}).`);
  }
}

/**
 * A3: a class present in EVERY example has no "absent" side and cannot be checked
 * (cleanlab: "Labels must contain at least 2 classes."); with filter_by =
 * 'predicted_neq_given' the same holds for a class present in NO example.
 */
export function assertBinaryProblemValid(c: number, present: number, n: number, filterBy: string): void {
  if (present === n) {
    throw new InputError(
      'labels',
      `Class ${c} is present in every example, so its labels cannot be checked (it is never absent). Remove the class or add examples without it. (cleanlab: "Labels must contain at least 2 classes.")`,
    );
  }
  if (present === 0 && filterBy === 'predicted_neq_given') {
    throw new InputError(
      'labels',
      `Class ${c} appears in no example; filter_by 'predicted_neq_given' needs every class to be present at least once. (cleanlab: "Labels must contain at least 2 classes.")`,
    );
  }
}
