import { z } from 'zod';
import { classNamesSchema, classificationArrays, rankBySchema } from './common.js';

export const labelQualityScoresOptionsSchema = z.strictObject({
  method: rankBySchema.default('self_confidence'),
  adjust_pred_probs: z.boolean().default(false),
  class_names: classNamesSchema.optional(),
});
export type LabelQualityScoresOptions = z.output<typeof labelQualityScoresOptionsSchema>;

export const labelQualityScoresRequestSchema = labelQualityScoresOptionsSchema.extend(classificationArrays);

export const labelQualityScoresResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  label_quality_scores: z.array(z.number()).describe('One score per example; lower = more likely mislabelled.'),
});
