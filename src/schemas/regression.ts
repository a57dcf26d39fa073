/** POST /v1/regression/label-quality-scores (spec task-types-api.md "Regression"). */
import { z } from 'zod';
import { limitSchema } from './common.js';

export const regressionOptionsSchema = z.strictObject({
  method: z.enum(['outre', 'residual']).default('outre').describe('outre: KNN on the standardised label and residual (cleanlab default); residual: exp(−|prediction − label|).'),
  limit: limitSchema,
});
export type RegressionOptions = z.output<typeof regressionOptionsSchema>;

export const regressionRequestSchema = regressionOptionsSchema
  .extend({
    labels: z.array(z.number()).min(2).describe('Given numeric label of each example (N >= 2).'),
    predictions: z.array(z.number()).min(2).describe('Out-of-sample model prediction of each example.'),
  })
  .describe('Multipart alternative: 1-D `.npy` parts labels and predictions, options as an `options` JSON part.');

export const regressionResponseSchema = z.object({
  label_quality_scores: z.array(z.number()).describe('Per example, in [0, 1]; lower = more likely a label error.'),
  label_issues: z
    .array(z.object({ index: z.number().int(), label: z.number(), prediction: z.number(), label_quality: z.number() }))
    .describe('The `limit` lowest scores, ascending, ties by index.'),
});
