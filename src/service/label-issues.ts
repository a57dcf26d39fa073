import { referenceAccuracy } from '../core/accuracy.js';
import {
  computeConfidentJointFull,
  estimateJoint,
  estimatePyAndNoiseMatricesFromProbabilities,
  rangeOf,
} from '../core/count.js';
import { overallLabelHealthScore, rankClassesByLabelQuality } from '../core/dataset.js';
import { InputError } from '../core/errors.js';
import { findLabelIssuesWithRanking } from '../core/filter.js';
import { getLabelQualityScores } from '../core/rank.js';
import { rowArgmax } from '../core/rows.js';
import type { FilterBy, RankBy } from '../core/types.js';
import {
  labelIssuesOptionsSchema,
  labelIssuesRequestSchema,
  labelIssuesResponseSchema,
  type LabelIssuesOptions,
} from '../schemas/label-issues.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { presentClasses, toNumberArray } from './present.js';

/** Options that cleanlab refuses in combination; checked before any computation. */
export function checkRankingOptions(rankBy: RankBy, adjustPredProbs: boolean): void {
  if (adjustPredProbs && rankBy === 'confidence_weighted_entropy') {
    throw new InputError(
      'adjust_pred_probs',
      'adjust_pred_probs is not currently supported for confidence_weighted_entropy (as in cleanlab); use rank_by self_confidence or normalized_margin, or adjust_pred_probs false',
    );
  }
}

export function labelIssues(input: ClassificationInput, o: LabelIssuesOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const { n, k } = predProbs;
  const rankBy = o.rank_by as RankBy;
  checkRankingOptions(rankBy, o.adjust_pred_probs);
  if (o.num_to_remove_per_class !== undefined && o.num_to_remove_per_class.length !== k) {
    throw new InputError(
      'num_to_remove_per_class',
      `num_to_remove_per_class has ${o.num_to_remove_per_class.length} entries; give one count per class (${k})`,
    );
  }

  const cj = computeConfidentJointFull(labels, predProbs);
  // Flag, then score and rank only the flagged rows (all N only when include_scores asks).
  const found = findLabelIssuesWithRanking(
    labels,
    predProbs,
    {
      filterBy: o.filter_by as FilterBy,
      fracNoise: o.frac_noise,
      minExamplesPerClass: o.min_examples_per_class,
      rankBy,
      adjustPredProbs: o.adjust_pred_probs,
      ...(o.num_to_remove_per_class ? { numToRemovePerClass: o.num_to_remove_per_class } : {}),
    },
    cj,
  );
  const scores = o.include_scores
    ? getLabelQualityScores(labels, predProbs, {
        method: rankBy,
        adjustPredProbs: o.adjust_pred_probs,
        thresholds: cj.thresholds,
        range: rangeOf(cj),
      })
    : null;
  const ranked = found.ranked;
  const suggested = rowArgmax(predProbs);
  const joint = estimateJoint(labels, predProbs, { precomputed: cj });
  const latent = estimatePyAndNoiseMatricesFromProbabilities(labels, predProbs, { precomputed: cj });
  const classes = rankClassesByLabelQuality(labels, predProbs, { joint });
  const overall = overallLabelHealthScore(labels, predProbs, { precomputed: cj });
  const acc = referenceAccuracy(labels, suggested, found.mask, latent.noiseMatrix);

  const names = o.class_names;
  const shown = o.limit === 0 ? ranked.length : Math.min(o.limit, ranked.length);
  const issues = new Array(shown);
  for (let r = 0; r < shown; r++) {
    const i = ranked[r]!;
    const given = labels[i]!;
    const sugg = suggested[i]!;
    issues[r] = {
      index: i,
      given_label: given,
      suggested_label: sugg,
      label_quality: found.rankedScores[r]!,
      ...(names ? { given_label_name: names[given]!, suggested_label_name: names[sugg]! } : {}),
    };
  }

  return {
    num_examples: n,
    num_classes: k,
    num_label_issues: found.indices.length,
    label_issues: issues,
    confident_joint: cj.confidentJoint,
    joint,
    noise_matrix: latent.noiseMatrix,
    inverse_noise_matrix: latent.inverseNoiseMatrix,
    py: latent.py,
    classes: presentClasses(classes, names),
    overall_label_health_score: overall,
    accuracy: {
      given_labels: acc.givenLabels,
      pruned: acc.pruned,
      corrected: acc.corrected,
      estimated_true: acc.estimatedTrue,
      estimated_true_raw: acc.estimatedTrueRaw,
      estimated_true_se: acc.estimatedTrueSe,
      num_label_issues: acc.numLabelIssues,
      null_reasons: acc.nullReasons,
    },
    ...(scores ? { label_quality_scores: toNumberArray(scores) } : {}),
    ...(found.warnings.length > 0 ? { warnings: found.warnings } : {}),
  };
}

export const labelIssuesEndpoint = classificationEndpoint(
  {
    name: 'label-issues',
    path: '/v1/label-issues',
    summary: 'Find label issues, ranked worst first',
    description:
      "Flags the examples whose given label is likely wrong (cleanlab's find_label_issues), ranks them worst first, and returns the confident joint, noise matrices, per-class label health and accuracy estimates.",
    requestSchema: labelIssuesRequestSchema,
    optionsSchema: labelIssuesOptionsSchema,
    responseSchema: labelIssuesResponseSchema,
  },
  labelIssues,
);
