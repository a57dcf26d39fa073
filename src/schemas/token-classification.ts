/**
 * /v1/token-classification/* (spec task-types-api.md "Token classification").
 */
import { z } from 'zod';
import { RANK_BY_VALUES } from '../core/types.js';
import {
  classNamesSchema,
  filterBySchema,
  fracNoiseSchema,
  limitSchema,
  minExamplesPerClassSchema,
  numToRemovePerClassSchema,
} from './common.js';

const tokenScoreMethodSchema = z
  .enum(RANK_BY_VALUES as unknown as [string, ...string[]])
  .describe('Label quality score of each token (cleanlab `token_score_method`).');

export const tokenLabelsSchema = z
  .array(z.array(z.number().int().min(0)))
  .describe('Given label of every token, one list per sentence (class ids in [0, K)). Multipart: a flat int `.npy` of all tokens plus `sentence_lengths`.');

export const tokenPredProbsSchema = z
  .array(z.array(z.array(z.number().min(0).max(1))))
  .describe('Predicted class probabilities of every token: one T_i×K array per sentence. Multipart: one T×K `.npy` of all tokens, sentences concatenated.');

export const tokensSchema = z
  .array(z.array(z.string()))
  .optional()
  .describe('The words, one list per sentence (JSON only); adds `token_text` and `common_label_issues`.');

export const sentenceLengthsSchema = z
  .array(z.number().int().min(0))
  .describe('Multipart only: tokens per sentence (an int `.npy` part), summing to the rows of `pred_probs`.');

export const tokenLabelIssuesOptionsSchema = z.strictObject({
  filter_by: filterBySchema.default('prune_by_noise_rate'),
  frac_noise: fracNoiseSchema,
  num_to_remove_per_class: numToRemovePerClassSchema,
  min_examples_per_class: minExamplesPerClassSchema,
  rank_by: tokenScoreMethodSchema.default('self_confidence').describe("Order of the issues and their `label_quality` (cleanlab's return_indices_ranked_by)."),
  low_memory: z
    .boolean()
    .default(false)
    .describe("cleanlab's low_memory: the batched label inspector (filter_by etc. ignored with a warning; issues in token order)."),
  limit: limitSchema,
  include_scores: z.boolean().default(false).describe('Add `sentence_scores` and `token_scores` (cleanlab defaults: self_confidence, min).'),
  class_names: classNamesSchema.optional(),
});
export type TokenLabelIssuesOptions = z.output<typeof tokenLabelIssuesOptionsSchema>;

const temperatureSchema = z
  .union([z.number(), z.literal('inf')])
  .describe('softmin temperature (default 0.05); 0 = the minimum, "inf" = the mean.');

export const tokenLabelQualityScoresOptionsSchema = z.strictObject({
  token_score_method: tokenScoreMethodSchema.default('self_confidence'),
  sentence_score_method: z.string().default('min').describe('`min` or `softmin` (cleanlab `sentence_score_method`).'),
  sentence_score_kwargs: z.strictObject({ temperature: temperatureSchema.optional() }).default({}),
  threshold: z.number().optional().describe('Adds `issues` (tokens below it) and `sentence_issues` (sentences below it).'),
  class_names: classNamesSchema.optional(),
});
export type TokenLabelQualityScoresOptions = z.output<typeof tokenLabelQualityScoresOptionsSchema>;

const arrays = { labels: tokenLabelsSchema, pred_probs: tokenPredProbsSchema };

export const tokenLabelIssuesRequestSchema = tokenLabelIssuesOptionsSchema.extend({ ...arrays, tokens: tokensSchema });
export const tokenLabelQualityScoresRequestSchema = tokenLabelQualityScoresOptionsSchema.extend(arrays);

const tokenScoresSchema = z.array(z.array(z.number())).describe('Score of every token, one list per sentence.');
const sentenceScoresSchema = z.array(z.number()).describe('One score per sentence (lower = more likely to contain a label issue).');
const pairSchema = z.tuple([z.number().int(), z.number().int()]).describe('[sentence, token]');

export const tokenIssueSchema = z.object({
  sentence: z.number().int(),
  token: z.number().int().describe('Index of the token within its sentence.'),
  given_label: z.number().int(),
  suggested_label: z.number().int().describe('The most likely class (first argmax of the token’s pred_probs).'),
  given_class_name: z.string().optional(),
  suggested_class_name: z.string().optional(),
  label_quality: z.number().describe('The token’s `rank_by` score (lower = more likely wrong).'),
  token_text: z.string().optional(),
});

export const tokenLabelIssuesResponseSchema = z.object({
  num_sentences: z.number().int(),
  num_tokens: z.number().int(),
  num_label_issues: z.number().int().describe('Number of flagged tokens.'),
  label_issues: z.array(tokenIssueSchema).describe("Flagged tokens in cleanlab's order (filter.find_label_issues), at most `limit`."),
  common_label_issues: z
    .array(
      z.object({
        token: z.string(),
        given_label: z.number().int().optional(),
        predicted_label: z.number().int().optional(),
        num_label_issues: z.number().int(),
      }),
    )
    .optional()
    .describe("With `tokens`: cleanlab's summary.common_label_issues(issues, tokens, labels, pred_probs) — every (word, given, predicted) triple, most frequent first."),
  sentence_scores: sentenceScoresSchema.optional(),
  token_scores: tokenScoresSchema.optional(),
  warnings: z.array(z.string()).optional(),
});

export const tokenLabelQualityScoresResponseSchema = z.object({
  sentence_scores: sentenceScoresSchema,
  token_scores: tokenScoresSchema,
  issues: z.array(pairSchema).optional().describe('With `threshold`: tokens scoring below it, lowest first.'),
  sentence_issues: z.array(z.number().int()).optional().describe('With `threshold`: sentences scoring below it, lowest first.'),
});
