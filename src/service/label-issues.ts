import { referenceAccuracy, type ReferenceAccuracy } from '../core/accuracy.js';
import {
  computeConfidentJointFull,
  estimateJointFlat,
  toMatrix,
  estimatePyAndNoiseMatricesFromProbabilities,
  rangeOf,
  type ConfidentJointResult,
  type LatentEstimates,
} from '../core/count.js';
import { overallLabelHealthScore, rankClassesByLabelQuality, type ClassHealth } from '../core/dataset.js';
import { InputError } from '../core/errors.js';
import { findLabelIssuesWithRanking } from '../core/filter.js';
import { getLabelQualityScores } from '../core/rank.js';
import { rowArgmax } from '../core/rows.js';
import type { Matrix, RankBy } from '../core/types.js';
import {
  labelIssuesOptionsSchema,
  labelIssuesRequestSchema,
  labelIssuesResponseSchema,
  type LabelIssuesOptions,
} from '../schemas/label-issues.js';
import { checkExamples, exampleContent } from './examples.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { checkNumToRemovePerClass, findOptionsOf } from './options.js';
import { presentAccuracy, presentClasses, presentLabelIssue, toNumberArray } from './present.js';

/** Options that cleanlab refuses in combination; checked before any computation. */
export function checkRankingOptions(rankBy: RankBy, adjustPredProbs: boolean): void {
  if (adjustPredProbs && rankBy === 'confidence_weighted_entropy') {
    throw new InputError(
      'adjust_pred_probs',
      'adjust_pred_probs is not currently supported for confidence_weighted_entropy (as in cleanlab); use rank_by self_confidence or normalized_margin, or adjust_pred_probs false',
    );
  }
}

/** The checks of label-issues options that need K, before any computation. */
export function checkLabelIssuesOptions(o: LabelIssuesOptions, k: number): void {
  checkRankingOptions(o.rank_by, o.adjust_pred_probs);
  checkNumToRemovePerClass(o.num_to_remove_per_class, k);
}

/** What a label-issues body is made of, however it was computed (in memory or in row chunks). */
export interface LabelIssuesPieces {
  cj: ConfidentJointResult;
  numLabelIssues: number;
  /** the `label_issues` records, worst first; absent in jobs (stored as rows, paginated) */
  labelIssues?: unknown[];
  joint: Matrix;
  latent: LatentEstimates;
  classes: readonly ClassHealth[];
  overall: number;
  accuracy: ReferenceAccuracy;
  /** every row's label quality score (include_scores) */
  scores?: ArrayLike<number> | null;
  warnings: readonly string[];
}

/** The label-issues response body (api.md §4) from its computed pieces. */
export function labelIssuesBody(p: LabelIssuesPieces, classNames?: readonly string[]): Record<string, unknown> {
  return {
    num_examples: p.cj.n,
    num_classes: p.cj.k,
    num_label_issues: p.numLabelIssues,
    ...(p.labelIssues ? { label_issues: p.labelIssues } : {}),
    confident_joint: p.cj.confidentJoint,
    joint: p.joint,
    noise_matrix: p.latent.noiseMatrix,
    inverse_noise_matrix: p.latent.inverseNoiseMatrix,
    py: p.latent.py,
    classes: presentClasses(p.classes, classNames),
    overall_label_health_score: p.overall,
    accuracy: presentAccuracy(p.accuracy),
    ...(p.scores ? { label_quality_scores: toNumberArray(p.scores) } : {}),
    ...(p.warnings.length > 0 ? { warnings: p.warnings } : {}),
  };
}

export function labelIssues(input: ClassificationInput, o: LabelIssuesOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const rankBy = o.rank_by;
  checkLabelIssuesOptions(o, predProbs.k);
  checkExamples(o.examples, predProbs.n);

  const cj = computeConfidentJointFull(labels, predProbs);
  // Flag, then score and rank only the flagged rows (all N only when include_scores asks).
  const found = findLabelIssuesWithRanking(
    labels,
    predProbs,
    { ...findOptionsOf(o), rankBy, adjustPredProbs: o.adjust_pred_probs },
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
  const jointFlat = estimateJointFlat(labels, predProbs, { precomputed: cj });
  const joint = toMatrix(jointFlat.flat, jointFlat.k);
  const latent = estimatePyAndNoiseMatricesFromProbabilities(labels, predProbs, { precomputed: cj });
  const classes = rankClassesByLabelQuality(labels, predProbs, { jointFlat });
  const overall = overallLabelHealthScore(labels, predProbs, { precomputed: cj });
  const accuracy = referenceAccuracy(labels, suggested, found.mask, latent.noiseMatrix);

  const names = o.class_names;
  const shown = o.limit === 0 ? ranked.length : Math.min(o.limit, ranked.length);
  const issues = new Array(shown);
  for (let r = 0; r < shown; r++) {
    const i = ranked[r]!;
    issues[r] = presentLabelIssue(i, labels[i]!, suggested[i]!, found.rankedScores[r]!, names);
    if (o.examples) issues[r].content = exampleContent(o.examples, i, false);
  }
  return labelIssuesBody(
    {
      cj,
      numLabelIssues: found.indices.length,
      labelIssues: issues,
      joint,
      latent,
      classes,
      overall,
      accuracy,
      scores,
      warnings: found.warnings,
    },
    names,
  );
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
    examplesPart: true,
  },
  labelIssues,
);
