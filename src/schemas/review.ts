/** zod schemas of the review routes (review.md §3–§4). */
import { z } from 'zod';
import { exampleContentSchema } from './examples.js';

export const reviewerSchema = z
  .string()
  .trim()
  .min(1, 'reviewer must not be empty')
  .max(100, 'reviewer must be at most 100 characters')
  .describe("The reviewer's name, as they typed it once in the review app.");

export const putReviewBodySchema = z.strictObject({
  reviewer: reviewerSchema,
  label: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('The class the reviewer says is correct; null = no single correct label (ambiguous, several, or neither).'),
});

export const reviewIndexParamsSchema = z.object({
  id: z.string(),
  index: z.coerce.number().int().min(0).describe('Row of the example, in [0, N).'),
});

export const deleteReviewQuerySchema = z.object({ reviewer: reviewerSchema });
export const verdictsQuerySchema = z.object({ reviewer: reviewerSchema.optional() });

export const verdictSchema = z.object({
  index: z.number().int(),
  reviewer: z.string(),
  label: z.number().int().nullable(),
  updated_at: z.string().describe('ISO 8601 time.'),
});

export const verdictListSchema = z.object({ job_id: z.string(), verdicts: z.array(verdictSchema) });

export const minReviewsSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(1)
  .describe('Only indices with at least this many verdicts count.');

export const reviewSummaryQuerySchema = z.object({ min_reviews: minReviewsSchema });

export const reviewQueueQuerySchema = z.object({
  controls: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Fraction of the unflagged rows mixed in as blind controls (seeded random rows at seeded random positions).'),
  seed: z.coerce.number().int().min(0).max(4294967295).default(0).describe('Same controls and seed → same queue.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, 'cursor must be a next_cursor returned by this route')
    .optional()
    .describe('`next_cursor` of the previous page.'),
});

export const topClassSchema = z.object({ class: z.number().int(), prob: z.number() });

export const reviewQueueSchema = z.object({
  job_id: z.string(),
  total: z.number().int().describe('Items in the whole queue (flagged rows plus controls).'),
  class_names: z.array(z.string()),
  items: z.array(
    z.object({
      index: z.number().int(),
      given_label: z.number().int(),
      suggested_label: z.number().int(),
      top_classes: z.array(topClassSchema).describe('The 3 most probable classes, most probable first.'),
      content: exampleContentSchema,
    }),
  ),
  next_cursor: z.string().nullable(),
});

const intervalSchema = z.object({ value: z.number(), low: z.number(), high: z.number() }).describe('Point value and Wilson 95% interval.');

export const reviewSummarySchema = z.object({
  reviewed: z.number().int(),
  confirmed: z.number().int(),
  relabelled: z.number().int(),
  dropped: z.number().int(),
  flagged_reviewed: z.number().int(),
  flagged_errors: z.number().int().describe('relabelled + dropped among the flagged rows.'),
  precision: intervalSchema.nullable().describe('flagged_errors / flagged_reviewed; null when no flagged row was reviewed.'),
  controls_reviewed: z.number().int(),
  control_errors: z.number().int(),
  control_error_rate: intervalSchema.nullable().describe('null when no control was reviewed.'),
  estimated_label_errors: intervalSchema
    .nullable()
    .describe('precision · flagged + control error rate · unflagged (a term without reviews counts 0); null when nothing was reviewed.'),
  verified_corrections: z
    .array(z.object({ index: z.number().int(), label: z.number().int().nullable() }))
    .describe('Relabelled and dropped rows, by index: exactly the `verified_corrections` input of corrected-accuracy.'),
  per_reviewer: z.array(
    z.object({
      reviewer: z.string(),
      verdicts: z.number().int(),
      agreement_with_majority: z
        .number()
        .nullable()
        .describe("Share of the reviewer's verdicts equal to the majority, over counted rows that have a strict majority."),
    }),
  ),
});

export const correctionsQuerySchema = z.object({
  format: z.enum(['csv', 'json', 'npy']).default('json'),
  min_reviews: minReviewsSchema,
});

export const correctionsJsonSchema = z.object({
  labels: z.array(
    z.object({
      index: z.number().int(),
      given_label: z.number().int(),
      label: z.number().int().nullable().describe('The cleaned label; null for dropped rows.'),
      status: z.enum(['unchanged', 'relabelled', 'dropped']),
    }),
  ),
});

export const jobCorrectedAccuracyBodySchema = z
  .strictObject({
    models: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Extra models to score, as in POST /v1/corrected-accuracy (`predictions` or `pred_probs` per name).'),
    min_reviews: minReviewsSchema,
    reference_name: z.string().min(1).optional(),
    prevalence_step: z.number().gt(0).lte(1).optional(),
    prevalence_max: z.number().gt(0).lte(1).optional(),
  })
  .describe("Runs corrected-accuracy on the job's inputs with the reviews' verified_corrections.");
