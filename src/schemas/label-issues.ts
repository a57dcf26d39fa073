import { z } from 'zod';
import {
  classHealthSchema,
  classNamesSchema,
  classificationArrays,
  filterBySchema,
  intMatrixSchema,
  matrixSchema,
  rankBySchema,
} from './common.js';
import { accuracyBlockSchema } from './accuracy-block.js';

export const labelIssuesOptionsSchema = z.strictObject({
  filter_by: filterBySchema.default('prune_by_noise_rate'),
  rank_by: rankBySchema.default('self_confidence'),
  frac_noise: z
    .number()
    .gt(0)
    .lte(1)
    .default(1)
    .describe('Fraction of the estimated noise to flag (prune_by_noise_rate, prune_by_class, both).'),
  num_to_remove_per_class: z
    .array(z.number().int().min(0))
    .optional()
    .describe('Number of issues to flag per given class (length K); prune_by_noise_rate, prune_by_class, both.'),
  min_examples_per_class: z.number().int().min(0).default(1),
  limit: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('Maximum number of rows in `label_issues` (worst first); 0 means all.'),
  adjust_pred_probs: z
    .boolean()
    .default(false)
    .describe('Rank and score with threshold-adjusted pred_probs (cleanlab rank_by_kwargs); the flagged set does not change.'),
  include_scores: z
    .boolean()
    .default(false)
    .describe('Include `label_quality_scores` for all N examples.'),
  class_names: classNamesSchema.optional(),
});
export type LabelIssuesOptions = z.output<typeof labelIssuesOptionsSchema>;

export const labelIssuesRequestSchema = labelIssuesOptionsSchema.extend(classificationArrays);

export const labelIssueSchema = z.object({
  index: z.number().int(),
  given_label: z.number().int(),
  suggested_label: z.number().int(),
  label_quality: z.number(),
  given_label_name: z.string().optional(),
  suggested_label_name: z.string().optional(),
});

export const labelIssuesResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  num_label_issues: z.number().int().describe('Size of the flagged set.'),
  label_issues: z.array(labelIssueSchema).describe('The flagged set, worst first, at most `limit` rows.'),
  confident_joint: intMatrixSchema.describe('Uncalibrated confident joint C[given][true].'),
  joint: matrixSchema.describe('Calibrated, normalised estimate of P(given, true).'),
  noise_matrix: matrixSchema.describe('P(given = i | true = j); columns sum to 1.'),
  inverse_noise_matrix: matrixSchema.describe('P(true = j | given = i) stored with true on rows; columns sum to 1.'),
  py: z.array(z.number()).describe('Estimated prior of the true labels.'),
  classes: z.array(classHealthSchema),
  overall_label_health_score: z.number(),
  accuracy: accuracyBlockSchema,
  label_quality_scores: z.array(z.number()).optional(),
  warnings: z.array(z.string()).optional(),
});
