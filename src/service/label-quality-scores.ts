import { getLabelQualityScores } from '../core/rank.js';
import type { RankBy } from '../core/types.js';
import {
  labelQualityScoresOptionsSchema,
  labelQualityScoresRequestSchema,
  labelQualityScoresResponseSchema,
  type LabelQualityScoresOptions,
} from '../schemas/label-quality-scores.js';
import { classificationEndpoint, type ClassificationInput } from './input.js';
import { checkRankingOptions } from './label-issues.js';
import { toNumberArray } from './present.js';

export function labelQualityScores(input: ClassificationInput, o: LabelQualityScoresOptions): Record<string, unknown> {
  const { labels, predProbs } = input;
  const method = o.method;
  checkRankingOptions(method, o.adjust_pred_probs);
  const scores = getLabelQualityScores(labels, predProbs, { method, adjustPredProbs: o.adjust_pred_probs });
  return { num_examples: predProbs.n, num_classes: predProbs.k, label_quality_scores: toNumberArray(scores) };
}

export const labelQualityScoresEndpoint = classificationEndpoint(
  {
    name: 'label-quality-scores',
    path: '/v1/label-quality-scores',
    summary: 'Label quality score of every example',
    description: "cleanlab's get_label_quality_scores: one score per example, lower = more likely mislabelled.",
    requestSchema: labelQualityScoresRequestSchema,
    optionsSchema: labelQualityScoresOptionsSchema,
    responseSchema: labelQualityScoresResponseSchema,
  },
  labelQualityScores,
);
