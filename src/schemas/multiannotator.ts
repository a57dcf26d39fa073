/**
 * POST /v1/multiannotator/consensus (issue 5; spec multilabel-and-multiannotator.md Part B).
 */
import { z } from 'zod';

export const CONSENSUS_METHODS = ['crowdlab', 'dawid_skene', 'majority_vote'] as const;

export const multiannotatorConsensusOptionsSchema = z.strictObject({
  method: z
    .enum(CONSENSUS_METHODS)
    .optional()
    .describe(
      "Consensus method. 'crowdlab' (default when pred_probs are given): cleanlab's CROWDLAB, best_quality consensus. 'dawid_skene': EM over per-annotator confusion matrices (annotations only). 'majority_vote' (default without pred_probs): majority vote with cleanlab's tie-breaks; scored with CROWDLAB when pred_probs are given, else by annotator agreement.",
    ),
  num_classes: z
    .number()
    .int()
    .min(2)
    .optional()
    .describe('Number of classes K when no pred_probs are sent (default: largest label + 1).'),
  calibrate_probs: z
    .boolean()
    .default(false)
    .describe('crowdlab / majority_vote with pred_probs: temperature-scale pred_probs to the annotators first (cleanlab calibrate_probs).'),
  active_learning: z
    .boolean()
    .default(false)
    .describe(
      'Also return ActiveLab scores (needs pred_probs): `active_learning_scores` per example and, with `pred_probs_unlabeled`, `active_learning_scores_unlabeled`. The LOWEST scores should be annotated next.',
    ),
  return_detailed_quality: z
    .boolean()
    .default(false)
    .describe(
      "Also return `detailed_label_quality`: the quality of every single annotation (cleanlab's detailed_label_quality). crowdlab / majority_vote: cleanlab's per-annotation label quality score under the consensus posterior; dawid_skene: the Dawid–Skene posterior probability of the annotator's label.",
    ),
  tol: z.number().gt(0).default(1e-6).describe('dawid_skene: stop when no posterior probability changes by more than tol.'),
  max_iter: z.number().int().min(1).max(100000).default(1000).describe('dawid_skene: maximum number of EM rounds.'),
});
export type MultiannotatorConsensusOptions = z.output<typeof multiannotatorConsensusOptionsSchema>;

export const labelsMultiannotatorSchema = z
  .array(z.array(z.number().int().min(0).nullable()))
  .min(1)
  .describe(
    'N×M labels: row = example, column = annotator, null where that annotator did not label the example (in multipart: an integer `.npy` with -1 for missing). Every example needs at least one label, every annotator at least one example.',
  );

export const multiannotatorConsensusRequestSchema = multiannotatorConsensusOptionsSchema.extend({
  labels_multiannotator: labelsMultiannotatorSchema,
  pred_probs: z
    .array(z.array(z.number().min(0).max(1)))
    .optional()
    .describe('Optional out-of-sample predicted class probabilities (N×K, rows sum to 1).'),
  pred_probs_unlabeled: z
    .array(z.array(z.number().min(0).max(1)))
    .optional()
    .describe('active_learning: predicted probabilities (U×K) of examples nobody labelled yet.'),
});

export const consensusExampleSchema = z.object({
  index: z.number().int(),
  consensus_label: z.number().int(),
  consensus_quality_score: z.number().describe('Confidence that the consensus label is correct (higher = better).'),
  annotator_agreement: z.number().describe("Fraction of the example's annotators who chose the consensus label."),
});

export const annotatorStatSchema = z.object({
  annotator: z.number().int().describe('Column index of the annotator in labels_multiannotator.'),
  annotator_quality: z
    .number()
    .nullable()
    .describe('Estimated quality of the annotator (crowdlab: label quality + agreement; dawid_skene: estimated accuracy). null when undefined.'),
  agreement_with_consensus: z.number().describe('Fraction of the annotator’s labels that equal the consensus label.'),
  worst_class: z.number().int().describe('The class this annotator labels least accurately (vs the consensus).'),
  num_examples_labeled: z.number().int(),
});

export const multiannotatorConsensusResponseSchema = z.object({
  examples: z.array(consensusExampleSchema).describe('One row per example, in example order.'),
  annotators: z.array(annotatorStatSchema).describe("Worst annotator first (cleanlab's annotator_stats order: ascending quality, then agreement; null last)."),
  detailed_label_quality: z
    .array(z.array(z.number().nullable()))
    .optional()
    .describe(
      'return_detailed_quality: N×M, row = example, column = annotator (input order), the quality of that annotation (higher = more likely correct); null where the annotator did not label the example.',
    ),
  active_learning_scores: z.array(z.number()).optional().describe('active_learning: ActiveLab score per example (lowest = annotate next).'),
  active_learning_scores_unlabeled: z
    .array(z.number())
    .optional()
    .describe('active_learning with pred_probs_unlabeled: ActiveLab score per unlabelled example.'),
  warnings: z.array(z.string()).optional(),
});
