import { z } from 'zod';
import {
  classHealthSchema,
  classNamesSchema,
  classificationArrays,
  filterBySchema,
  fracNoiseSchema,
  includeScoresSchema,
  intMatrixSchema,
  limitSchema,
  minExamplesPerClassSchema,
  numToRemovePerClassSchema,
  matrixSchema,
  rankBySchema,
} from './common.js';
import { accuracyBlockSchema } from './accuracy-block.js';
import { exampleContentSchema, examplesSchema } from './examples.js';

export const labelIssuesOptionsSchema = z.strictObject({
  filter_by: filterBySchema.default('prune_by_noise_rate'),
  rank_by: rankBySchema.default('self_confidence'),
  frac_noise: fracNoiseSchema,
  num_to_remove_per_class: numToRemovePerClassSchema,
  min_examples_per_class: minExamplesPerClassSchema,
  limit: limitSchema,
  adjust_pred_probs: z
    .boolean()
    .default(false)
    .describe('Rank and score with threshold-adjusted pred_probs (cleanlab rank_by_kwargs); the flagged set does not change.'),
  include_scores: includeScoresSchema,
  class_names: classNamesSchema.optional(),
  examples: examplesSchema.optional(),
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
  content: exampleContentSchema.optional().describe('The row\'s `examples` content, when the request gave some.'),
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
