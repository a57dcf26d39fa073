/** POST /v1/outliers (spec task-types-api.md "Outliers"). */
import { z } from 'zod';

export const oodParamsSchema = z
  .strictObject({
    k: z.number().int().min(0).nullable().optional().describe('Neighbours (features): default min(10, N − 1).'),
    t: z.number().optional().describe('Transform temperature of the KNN distances (default 1).'),
    method: z.enum(['entropy', 'least_confidence', 'gen']).optional().describe('pred_probs scoring method (default entropy).'),
    adjust_pred_probs: z.boolean().optional().describe('Adjust pred_probs by the per-class confident thresholds (needs labels; default true).'),
    confident_thresholds: z.array(z.number()).nullable().optional(),
    M: z.number().int().min(1).optional().describe('GEN: number of top classes (default 100).'),
    gamma: z.number().optional().describe('GEN exponent (default 0.1).'),
  })
  .describe("cleanlab's OutOfDistribution params.");

export const outliersOptionsSchema = z.strictObject({
  params: oodParamsSchema.default({}),
  limit: z.number().int().min(0).default(100).describe('Rows in `outliers` (lowest scores first); 0 = all.'),
});
export type OutliersOptions = z.output<typeof outliersOptionsSchema>;

export const outliersRequestSchema = outliersOptionsSchema
  .extend({
    features: z.array(z.array(z.number())).optional().describe('N×D feature vectors (embeddings): KNN distances.'),
    pred_probs: z.array(z.array(z.number().min(0).max(1))).optional().describe('N×K predicted probabilities (instead of features).'),
    labels: z.array(z.number().int().min(0)).optional().describe('Given labels (pred_probs with adjust_pred_probs).'),
    score_features: z.array(z.array(z.number())).optional().describe('Fit on `features`, score this set.'),
    score_pred_probs: z.array(z.array(z.number().min(0).max(1))).optional().describe('Fit on `pred_probs`, score this set.'),
  })
  .describe('Exactly one of features / pred_probs. Multipart alternative: `.npy` parts with the same names, options as an `options` JSON part.');

export const outliersResponseSchema = z.object({
  scores: z.array(z.number()).describe('Per example of the scored set; lower = more atypical.'),
  outliers: z.array(z.object({ index: z.number().int(), score: z.number() })).describe('The `limit` lowest scores, ascending, ties by index.'),
  fitted: z.object({
    confident_thresholds: z.array(z.number()).nullable(),
    scaling_factor: z.number().nullable(),
    k: z.number().int().nullable(),
  }),
  warnings: z.array(z.string()).optional(),
});
