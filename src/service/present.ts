/**
 * The one mapping from the engine's camelCase records to the API's snake_case JSON
 * (api.md §3 and friends). Every handler presents through these functions.
 */
import type { ReferenceAccuracy } from '../core/accuracy.js';
import type { ClassHealth, OverlappingPair } from '../core/dataset.js';

export function presentClasses(classes: readonly ClassHealth[], classNames?: readonly string[]) {
  return classes.map((c) => ({
    class: c.classIndex,
    ...(classNames ? { class_name: classNames[c.classIndex]! } : {}),
    label_issues: c.labelIssues,
    inverse_label_issues: c.inverseLabelIssues,
    label_noise: c.labelNoise,
    inverse_label_noise: c.inverseLabelNoise,
    label_quality: c.labelQualityScore,
  }));
}

export function presentOverlaps(pairs: readonly OverlappingPair[], classNames?: readonly string[]) {
  return pairs.map((p) => ({
    class_a: p.classIndexA,
    class_b: p.classIndexB,
    ...(classNames ? { class_name_a: classNames[p.classIndexA]!, class_name_b: classNames[p.classIndexB]! } : {}),
    num_overlapping_examples: p.numOverlappingExamples,
    joint_probability: p.jointProbability,
  }));
}

export function toNumberArray(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

/** The `accuracy` block of label-issues (api.md §4). */
export function presentAccuracy(acc: ReferenceAccuracy) {
  return {
    given_labels: acc.givenLabels,
    pruned: acc.pruned,
    corrected: acc.corrected,
    estimated_true: acc.estimatedTrue,
    estimated_true_raw: acc.estimatedTrueRaw,
    estimated_true_se: acc.estimatedTrueSe,
    num_label_issues: acc.numLabelIssues,
    null_reasons: acc.nullReasons,
  };
}

/** One flagged row of label-issues (the synchronous body and the jobs' pages). */
export function presentLabelIssue<Q extends number | null>(
  index: number,
  given: number,
  suggested: number,
  quality: Q,
  classNames?: readonly string[],
) {
  return {
    index,
    given_label: given,
    suggested_label: suggested,
    label_quality: quality,
    ...(classNames ? { given_label_name: classNames[given]!, suggested_label_name: classNames[suggested]! } : {}),
  };
}
