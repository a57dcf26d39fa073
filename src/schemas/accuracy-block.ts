import { z } from 'zod';

/** api.md §4: accuracy estimates for the model that produced pred_probs. */
export const accuracyBlockSchema = z.object({
  given_labels: z.number().describe('argmax(pred_probs) vs the given labels.'),
  pruned: z.number().nullable().describe('Same, flagged examples removed.'),
  corrected: z
    .number()
    .describe('Flagged examples relabelled to their suggested label (biased in favour of this model).'),
  estimated_true: z.number().nullable().describe('Noise-aware estimate against the latent true labels, clipped to [0, 1].'),
  estimated_true_raw: z.number().nullable(),
  estimated_true_se: z.number().nullable(),
  num_label_issues: z.number().int(),
  null_reasons: z.record(z.string(), z.string()),
});
