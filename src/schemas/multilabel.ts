/**
 * POST /v1/multilabel/label-issues (issue 5; spec multilabel-and-multiannotator.md Part A).
 */
import { z } from 'zod';
import {
  classHealthSchema,
  filterBySchema,
  fracNoiseSchema,
  includeScoresSchema,
  limitSchema,
  minExamplesPerClassSchema,
} from './common.js';

export const multilabelLabelIssuesOptionsSchema = z.strictObject({
  filter_by: filterBySchema.default('prune_by_noise_rate'),
  frac_noise: fracNoiseSchema.describe(
    'Fraction of the estimated noise to flag in each class (prune_by_noise_rate, prune_by_class, both).',
  ),
  min_examples_per_class: minExamplesPerClassSchema,
  limit: limitSchema,
  include_scores: includeScoresSchema,
});
export type MultilabelLabelIssuesOptions = z.output<typeof multilabelLabelIssuesOptionsSchema>;

export const multilabelLabelsSchema = z
  .array(z.array(z.number().int().min(0)))
  .min(1)
  .describe(
    'The classes of each example (a list of class indices in [0, K); an empty list = no class). In multipart requests, `labels` may instead be an N×K 0/1 `.npy` matrix.',
  );

export const multilabelPredProbsSchema = z
  .array(z.array(z.number().min(0).max(1)))
  .min(1)
  .describe('Out-of-sample predicted probability of each class, N rows of K values; rows need NOT sum to 1.');

export const multilabelLabelIssuesRequestSchema = multilabelLabelIssuesOptionsSchema.extend({
  labels: multilabelLabelsSchema,
  pred_probs: multilabelPredProbsSchema,
});

export const multilabelIssueSchema = z.object({
  index: z.number().int(),
  given_labels: z.array(z.number().int()).describe('The given classes (sorted, without duplicates).'),
  suggested_labels: z.array(z.number().int()).describe('The classes with predicted probability ≥ 0.5.'),
  label_quality: z.number().describe('Multi-label quality score (self-confidence per class, exponential moving average α = 0.8).'),
});

export const multilabelLabelIssuesResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  num_label_issues: z.number().int().describe('Number of flagged examples (flagged in at least one class).'),
  label_issues: z.array(multilabelIssueSchema).describe('The flagged examples, worst (lowest label_quality) first, at most `limit` rows.'),
  classes: z
    .array(classHealthSchema)
    .describe(
      'Per class, worst first: label_issues = flagged examples labelled with the class (likely wrongly), inverse_label_issues = flagged examples missing it; label_noise / inverse_label_noise = those counts / N; label_quality = 1 − label_noise.',
    ),
  label_quality_scores: z.array(z.number()).optional(),
  warnings: z.array(z.string()).optional(),
});
