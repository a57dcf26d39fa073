/**
 * /v1/segmentation/* (spec task-types-api.md "Semantic segmentation").
 */
import { z } from 'zod';
import { classNamesSchema, limitSchema } from './common.js';

export const segLabelsSchema = z
  .array(z.array(z.array(z.number().int().min(0))))
  .describe('Given class of every pixel, N×H×W. Multipart: an int `.npy` of shape (N, H, W) (uint8 works).');

export const segPredProbsSchema = z
  .array(z.array(z.array(z.array(z.number().min(0).max(1)))))
  .describe('Predicted class probabilities, N×K×H×W (class axis second, as cleanlab). Multipart: a float32/float64 `.npy` of shape (N, K, H, W).');

const downsampleSchema = z.number().int().min(1).default(1).describe("cleanlab's `downsample`: pool f×f blocks before the inspector (H and W must be divisible by it).");
const batchSizeSchema = z
  .number()
  .int()
  .optional()
  .describe("cleanlab's `batch_size` (default 10000): values per inspector batch; batches are whole images.");

export const segLabelIssuesOptionsSchema = z.strictObject({
  downsample: downsampleSchema,
  batch_size: batchSizeSchema,
  limit: limitSchema,
  include_mask: z.boolean().default(false).describe('Add `mask`: the N×H×W result of filter.find_label_issues as 0/1.'),
  class_names: classNamesSchema.optional(),
});
export type SegLabelIssuesOptions = z.output<typeof segLabelIssuesOptionsSchema>;

export const segLabelQualityScoresOptionsSchema = z.strictObject({
  method: z.string().default('softmin').describe('`softmin` or `num_pixel_issues`.'),
  temperature: z.number().optional().describe('softmin temperature (default 0.1; 0 is refused, negative acts like 1e-6).'),
  downsample: downsampleSchema,
  batch_size: batchSizeSchema,
  threshold: z.number().optional().describe('Adds `issues`: cleanlab rank.issues_from_scores(image_scores, threshold).'),
  include_pixel_scores: z.boolean().default(false).describe('Add `pixel_scores` (N×H×W).'),
  class_names: classNamesSchema.optional(),
});
export type SegLabelQualityScoresOptions = z.output<typeof segLabelQualityScoresOptionsSchema>;

const arrays = { labels: segLabelsSchema, pred_probs: segPredProbsSchema };
export const segLabelIssuesRequestSchema = segLabelIssuesOptionsSchema.extend(arrays);
export const segLabelQualityScoresRequestSchema = segLabelQualityScoresOptionsSchema.extend(arrays);

export const segLabelIssuesResponseSchema = z.object({
  num_images: z.number().int(),
  num_label_issues: z.number().int().describe('Number of flagged pixels.'),
  num_pixel_issues: z.array(z.number().int()).describe('Flagged pixels per image.'),
  label_issues: z
    .array(
      z.object({
        image: z.number().int(),
        num_pixel_issues: z.number().int(),
        label_quality: z.number().describe('The image score (softmin, temperature 0.1).'),
      }),
    )
    .describe('Images with at least one flagged pixel, lowest label_quality first (ties by image), at most `limit`.'),
  common_label_issues: z
    .array(z.object({ given_label: z.string(), predicted_label: z.string(), num_pixel_issues: z.number().int() }))
    .describe("cleanlab's summary.common_label_issues with its defaults (class names \"0\", \"1\", …; top 20)."),
  mask: z.array(z.array(z.array(z.number().int()))).optional(),
  warnings: z.array(z.string()).optional(),
});

export const segLabelQualityScoresResponseSchema = z.object({
  image_scores: z.array(z.number()),
  pixel_scores: z.array(z.array(z.array(z.number()))).optional(),
  issues: z.array(z.number().int()).optional().describe('Image indices, lowest score first: those below the threshold plus one (cleanlab).'),
  warnings: z.array(z.string()).optional(),
});
