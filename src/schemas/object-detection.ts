/**
 * Object-detection routes (spec task-types-api.md "Object detection"): options, request
 * bodies (documentation) and responses.
 */
import { z } from 'zod';
import { classNamesSchema, limitSchema } from './common.js';

const boxSchema = z.array(z.number()).length(4).describe('[x1, y1, x2, y2] with x1 <= x2, y1 <= y2');
const predRowSchema = z.array(z.number()).length(5).describe('[x1, y1, x2, y2, confidence]');

export const odLabelsSchema = z
  .array(z.object({ bboxes: z.array(boxSchema), labels: z.array(z.number().int().min(0)) }))
  .min(1)
  .describe('Per image, cleanlab\'s label dict: the M given boxes and their classes (`[]`, `[]` for an image without boxes).');

export const odPredictionsSchema = z
  .array(z.array(z.array(predRowSchema)))
  .min(1)
  .describe('Per image, K arrays (one per class, `[]` when empty) of predicted boxes with their confidence (cleanlab\'s format).');

export const aggregationWeightsSchema = z
  .strictObject({ overlooked: z.number(), swap: z.number(), badloc: z.number() })
  .describe('Weights of the three issue types in the image score (non-negative, summing to 1; default 1/3 each).');

const odArrays = { labels: odLabelsSchema, predictions: odPredictionsSchema };
const npyNote =
  ' Multipart alternative: `.npy` parts labels_bboxes (T×4), labels_labels (T), labels_counts (N), predictions (P×5, image by image, class by class), predictions_counts (N×K), and the options as an `options` JSON part.';

export const odLabelIssuesOptionsSchema = z.strictObject({
  overlapping_label_check: z.boolean().default(true).describe('Score a label box that overlaps (IoU ≥ 0.95) a box of another class as a swap.'),
  aggregation_weights: aggregationWeightsSchema.optional(),
  limit: limitSchema,
  include_box_scores: z.boolean().default(false).describe('Include the per-box overlooked, swap and badloc scores.'),
  class_names: classNamesSchema.optional(),
});
export type OdLabelIssuesOptions = z.output<typeof odLabelIssuesOptionsSchema>;

export const odQualityOptionsSchema = z.strictObject({
  aggregation_weights: aggregationWeightsSchema.optional(),
  overlapping_label_check: z.boolean().default(true),
  threshold: z.number().optional().describe('Also return `issues` = the images with a score <= threshold, worst first (threshold <= 1).'),
  class_names: classNamesSchema.optional(),
});
export type OdQualityOptions = z.output<typeof odQualityOptionsSchema>;

export const odSummaryOptionsSchema = z.strictObject({ class_names: classNamesSchema.optional() });
export type OdSummaryOptions = z.output<typeof odSummaryOptionsSchema>;

export const odLabelIssuesRequestSchema = odLabelIssuesOptionsSchema.extend(odArrays).describe('Object-detection labels and predictions.' + npyNote);
export const odQualityRequestSchema = odQualityOptionsSchema.extend(odArrays).describe('Object-detection labels and predictions.' + npyNote);
export const odSummaryRequestSchema = odSummaryOptionsSchema.extend(odArrays).describe('Object-detection labels and predictions.' + npyNote);

const classKey = z.union([z.number().int(), z.string()]);
const pairs = <T extends z.ZodType>(v: T) => z.array(z.tuple([classKey, v]));

export const odLabelIssuesResponseSchema = z.object({
  num_images: z.number().int(),
  num_label_issues: z.number().int().describe('Number of flagged images.'),
  is_label_issue: z.array(z.boolean()).describe('cleanlab filter.find_label_issues: per image, whether any of its boxes looks wrong.'),
  label_issues: z
    .array(z.object({ image: z.number().int(), label_quality: z.number() }))
    .describe('Flagged images, worst first (cleanlab\'s ranked find_label_issues order), at most `limit`.'),
  box_scores: z
    .object({
      overlooked: z.array(z.array(z.number().nullable())).describe('Per predicted box (null = not applicable): low = an object the annotator missed.'),
      swap: z.array(z.array(z.number())).describe('Per label box: low = probably the wrong class.'),
      badloc: z.array(z.array(z.number())).describe('Per label box: low = probably badly located.'),
    })
    .optional(),
});

export const odQualityResponseSchema = z.object({
  label_quality_scores: z.array(z.number()).describe('Per image, in [0, 1]; lower = more likely to contain a label error.'),
  issues: z.array(z.number().int()).optional(),
});

const confusion = z.object({ TP: z.number(), FP: z.number(), FN: z.number() });
const metrics = z.object({ 'average precision': z.number(), 'average recall': z.number(), 'average f1': z.number() });

export const odSummaryResponseSchema = z.object({
  object_counts_per_image: z.tuple([z.array(z.number().int()), z.array(z.number().int())]).describe('[label boxes per image, predicted boxes per image].'),
  bounding_box_size_distribution: z.tuple([pairs(z.array(z.number())), pairs(z.array(z.number()))]).describe('[labels, predictions]: class → box areas.'),
  class_label_distribution: z.tuple([pairs(z.number()), pairs(z.number())]).describe('[labels, predictions]: class → share of boxes (rounded to 0.01).'),
  per_class_metrics: pairs(metrics).describe('class → average precision, recall and F1 over the IoU thresholds 0.5 … 0.95.'),
  average_per_class_confusion_matrix: pairs(confusion).describe('class → TP, FP, FN summed over images and IoU thresholds, divided by 10·K (cleanlab).'),
});
