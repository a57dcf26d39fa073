/**
 * Building blocks shared by every endpoint's zod schemas. These schemas are the single
 * source of truth for option validation (src/service) and for the OpenAPI document
 * (src/api → openapi/openapi.json). Large numeric arrays are described here for the
 * documentation only: they are decoded and validated in one pass by src/io, never
 * element by element by zod.
 */
import { z } from 'zod';
import { FILTER_BY_VALUES, RANK_BY_VALUES } from '../core/types.js';

export const filterBySchema = z
  .enum(FILTER_BY_VALUES)
  .describe('How the flagged set is chosen (cleanlab `filter_by`).');

export const rankBySchema = z
  .enum(RANK_BY_VALUES)
  .describe('Label quality score used to rank issues (lower = more likely wrong).');

export const fracNoiseSchema = z
  .number()
  .gt(0)
  .lte(1)
  .default(1)
  .describe('Fraction of the estimated noise to flag (prune_by_noise_rate, prune_by_class, both).');

export const numToRemovePerClassSchema = z
  .array(z.number().int().min(0))
  .optional()
  .describe('Number of issues to flag per given class (length K); prune_by_noise_rate, prune_by_class, both.');

export const minExamplesPerClassSchema = z.number().int().min(0).default(1);

export const limitSchema = z
  .number()
  .int()
  .min(0)
  .default(1000)
  .describe('Maximum number of rows in `label_issues` (worst first); 0 means all.');

export const includeScoresSchema = z.boolean().default(false).describe('Include `label_quality_scores` for all N examples.');

export const labelsSchema = z
  .array(z.number().int().min(0))
  .min(1)
  .describe('Given (possibly noisy) label of each example: integers in [0, K).');

export const predProbsSchema = z
  .array(z.array(z.number().min(0).max(1)))
  .min(1)
  .describe('Out-of-sample predicted class probabilities, N rows of K values each summing to 1.');

export const classNamesSchema = z
  .array(z.string())
  .describe('Optional class names (length K); they only decorate the output.');

export const matrixSchema = z.array(z.array(z.number()));
export const intMatrixSchema = z.array(z.array(z.number().int()));

/** Per-class label health record (api.md §3), worst first. */
export const classHealthSchema = z.object({
  class: z.number().int(),
  class_name: z.string().optional(),
  label_issues: z.number().int(),
  inverse_label_issues: z.number().int(),
  label_noise: z.number(),
  inverse_label_noise: z.number(),
  label_quality: z.number(),
});

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, as every error response carries. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json).');

/** The array fields every classification request carries, for the JSON body documentation. */
export const classificationArrays = {
  labels: labelsSchema,
  pred_probs: predProbsSchema,
};

/** An OpenAPI response documented as a problem (for route schemas). */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
}
