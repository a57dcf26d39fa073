/**
 * The one mapping from the engine's camelCase records to the API's snake_case JSON
 * (api.md §3 and friends). Every handler presents through these functions.
 */
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
