import { z } from 'zod';
import { classNamesSchema, classificationArrays, intMatrixSchema, matrixSchema } from './common.js';

export const confidentJointOptionsSchema = z.strictObject({
  calibrate: z.boolean().default(true).describe('Calibrate the confident joint (cleanlab default).'),
  class_names: classNamesSchema.optional(),
});
export type ConfidentJointOptions = z.output<typeof confidentJointOptionsSchema>;

export const confidentJointRequestSchema = confidentJointOptionsSchema.extend(classificationArrays);

export const confidentJointResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  confident_joint: intMatrixSchema.describe('C[given][true], calibrated or not as asked.'),
  thresholds: z.array(z.number()).describe('Per-class thresholds t_j (mean self-confidence).'),
  joint: matrixSchema,
  py: z.array(z.number()),
  noise_matrix: matrixSchema,
  inverse_noise_matrix: matrixSchema,
  num_label_issues: z.number().int().describe("cleanlab's num_label_issues (off_diagonal)."),
});
