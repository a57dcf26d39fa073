import { z } from 'zod';
import { classHealthSchema, classNamesSchema, classificationArrays } from './common.js';

export const datasetHealthOptionsSchema = z.strictObject({
  asymmetric: z
    .boolean()
    .default(false)
    .describe('Overlap of ordered pairs (A, B) instead of unordered pairs.'),
  class_names: classNamesSchema.optional(),
});
export type DatasetHealthOptions = z.output<typeof datasetHealthOptionsSchema>;

export const datasetHealthRequestSchema = datasetHealthOptionsSchema.extend(classificationArrays);

export const overlappingClassesSchema = z.object({
  class_a: z.number().int(),
  class_b: z.number().int(),
  class_name_a: z.string().optional(),
  class_name_b: z.string().optional(),
  num_overlapping_examples: z.number().int(),
  joint_probability: z.number(),
});

export const datasetHealthResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  classes: z.array(classHealthSchema),
  overall_label_health_score: z.number(),
  overlapping_classes: z.array(overlappingClassesSchema),
  num_label_issues: z.number().int(),
});
