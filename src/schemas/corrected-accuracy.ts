import { z } from 'zod';
import {
  classNamesSchema,
  filterBySchema,
  fracNoiseSchema,
  labelsSchema,
  minExamplesPerClassSchema,
  numToRemovePerClassSchema,
  predProbsSchema,
} from './common.js';

/**
 * POST /v1/corrected-accuracy (api.md §2, corrected-accuracy.md §2–§7).
 * `models` and `verified_corrections` are large arrays: like `labels`/`pred_probs` they are
 * decoded and validated in one pass by the handler, and appear here for documentation only.
 */
export const correctedAccuracyOptionsSchema = z.strictObject({
  filter_by: filterBySchema.default('prune_by_noise_rate'),
  frac_noise: fracNoiseSchema,
  num_to_remove_per_class: numToRemovePerClassSchema,
  min_examples_per_class: minExamplesPerClassSchema,
  prevalence_step: z
    .number()
    .gt(0)
    .lte(1)
    .default(0.01)
    .describe('Step of the noise-prevalence grid π₀, π₀ + step, … (corrected-accuracy.md §6).'),
  prevalence_max: z
    .number()
    .gt(0)
    .lte(1)
    .default(0.5)
    .describe('Largest prevalence of mislabelled examples on the grid; it is always the last point.'),
  reference_name: z
    .string()
    .min(1)
    .default('reference')
    .describe('Name under which the model that produced `pred_probs` is listed (its predictions are argmax(pred_probs)).'),
  class_names: classNamesSchema.optional(),
});
export type CorrectedAccuracyOptions = z.output<typeof correctedAccuracyOptionsSchema>;

export const modelInputSchema = z.union([
  z.strictObject({
    predictions: z.array(z.number().int().min(0)).describe('Predicted class of each example, int[N] in [0, K).'),
  }),
  z.strictObject({
    pred_probs: predProbsSchema.describe('Predicted probabilities number[N][K]; the prediction is the first argmax of each row.'),
  }),
]);

export const verifiedCorrectionSchema = z.object({
  index: z.number().int().min(0).describe('Row of the example, in [0, N).'),
  label: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('Its verified correct class, or null when it has no single valid label (the example is dropped).'),
});

export const correctedAccuracyRequestSchema = correctedAccuracyOptionsSchema.extend({
  labels: labelsSchema,
  pred_probs: predProbsSchema.describe(
    'Reference out-of-sample predicted probabilities: they define the flagged set, the suggested labels and the noise matrix.',
  ),
  models: z
    .record(z.string(), modelInputSchema)
    .optional()
    .describe(
      'Extra models to score, by name: either `predictions` or `pred_probs` for the same N examples. The reference model is always included, first. ' +
        'Ties in rankings follow this order (the order of the keys; note that JavaScript lists integer-like names such as "1" first, ascending).',
    ),
  verified_corrections: z
    .array(verifiedCorrectionSchema)
    .optional()
    .describe('Human-verified labels for some examples (e.g. the majority of 5 crowd workers); enables the `verified` estimator.'),
});

const nullReasonsSchema = z
  .record(z.string(), z.string())
  .describe('Estimator (or block) name → why it is null, e.g. {"estimated_true": "noise_matrix_singular"}.');

export const modelAccuracySchema = z.object({
  name: z.string(),
  reference: z.boolean().describe('True for the model that produced `pred_probs`.'),
  given_labels: z.number().describe('Accuracy against the given labels.'),
  pruned: z.number().nullable().describe('Accuracy on the examples that were not flagged.'),
  corrected: z
    .number()
    .describe('Accuracy with flagged examples relabelled to the suggested label; biased in favour of the reference model.'),
  verified: z
    .number()
    .nullable()
    .optional()
    .describe('Accuracy against the verified labels, dropped examples removed (only with verified_corrections).'),
  estimated_true: z.number().nullable().describe('Noise-aware estimate of accuracy against the latent true labels, clipped to [0, 1].'),
  estimated_true_raw: z.number().nullable(),
  estimated_true_se: z.number().nullable().describe('Plug-in standard error sd(w)/√N (ignores the uncertainty of the noise matrix).'),
  estimated_true_class_recall: z
    .array(z.number().nullable())
    .nullable()
    .describe('Per true class: M̂[j][j] / Σ_a M̂[a][j] from the latent confusion M̂ = n (Tᵀ)⁻¹ / N.'),
  self_referential: z
    .object({ corrected: z.boolean(), estimated_true: z.boolean() })
    .describe('Estimates that are self-confirming for this model (the reference): do not use them to compare it with others.'),
  null_reasons: nullReasonsSchema,
});

const estimatorRecord = <T extends z.ZodType>(schema: T) =>
  z.object({
    given_labels: schema.optional(),
    pruned: schema.optional(),
    corrected: schema.optional(),
    verified: schema.optional(),
    estimated_true: schema.optional(),
  });

export const rankingComparisonSchema = z.object({
  kendall_tau_b: z.number().nullable().describe("Kendall's τ-b between given_labels and this estimator (models with non-null values)."),
  null_reason: z.string().optional(),
  flips: z
    .array(z.tuple([z.string(), z.string()]))
    .describe('Pairs of models (input order) that this estimator orders strictly opposite to given_labels.'),
});

export const rankingChangeSchema = z
  .object({
    prevalence: z.number().describe('π* at which the ranking first changes.'),
    immediate: z.boolean().describe('True when two models tie at π₀ and the order reverses right after it.'),
    overtaking: z.string(),
    overtaken: z.string(),
  })
  .nullable();

export const prevalenceCurvesSchema = z
  .object({
    source: z.enum(['verified_corrections', 'flagged']).describe('Where the set E of mislabelled examples came from.'),
    num_mislabelled: z.number().int().describe('|E|'),
    num_excluded: z.number().int().describe('|X| (dropped verified examples)'),
    num_rest: z.number().int().describe('|C|, the examples treated as correctly labelled'),
    natural_prevalence: z.number().describe('π₀ = |E| / (|E| + |C|)'),
    prevalence_step: z.number(),
    prevalence_max: z.number(),
    prevalence: z.array(z.number()).describe('The grid π₀, π₀ + step, …, prevalence_max.'),
    models: z.array(
      z.object({
        name: z.string(),
        accuracy_on_mislabelled: z.number().describe('a_E: accuracy on E against the corrected labels'),
        original_accuracy_on_mislabelled: z.number().describe('o_E: accuracy on E against the original labels'),
        accuracy_on_rest: z.number().nullable().describe('a_C (null when |C| = 0)'),
        corrected: z.array(z.number()).describe('π·a_E + (1 − π)·a_C at each grid point'),
        original: z.array(z.number()).describe('π·o_E + (1 − π)·a_C at each grid point'),
      }),
    ),
    first_ranking_change: rankingChangeSchema,
    first_ranking_change_original_labels: rankingChangeSchema,
  })
  .nullable();

export const correctedAccuracyResponseSchema = z.object({
  num_examples: z.number().int(),
  num_classes: z.number().int(),
  num_label_issues: z.number().int().describe('Size of the flagged set F.'),
  num_verified_corrections: z.number().int().optional(),
  num_dropped: z.number().int().optional(),
  noise_matrix_condition_number: z.number().nullable().describe('1-norm condition number of the estimated noise matrix.'),
  models: z.array(modelAccuracySchema).describe('One record per model: the reference first, then the request order.'),
  rankings: estimatorRecord(z.array(z.string())).describe(
    'Model names per estimator: accuracy descending, ties in input order, nulls last.',
  ),
  ranking_comparisons: estimatorRecord(rankingComparisonSchema),
  prevalence_curves: prevalenceCurvesSchema,
  null_reasons: nullReasonsSchema,
  warnings: z.array(z.string()).optional(),
});
