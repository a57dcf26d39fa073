/**
 * POST /v1/token-classification/label-issues and /label-quality-scores (spec
 * task-types-api.md "Token classification"; algorithms: src/core/token-classification).
 *
 * JSON: labels int[S][*], pred_probs number[S][*][K], optional tokens string[S][*].
 * multipart: pred_probs T×K `.npy` (sentences concatenated), labels int `.npy` of T tokens,
 * sentence_lengths int `.npy` of S lengths.
 */
import { InputError } from '../core/errors.js';
import { firstArgmax } from '../core/numeric.js';
import {
  commonLabelIssues,
  findLabelIssues,
  getLabelQualityScores,
  sentenceIssuesFromScores,
  sentenceOffsets,
  tokenIssuesFromScores,
  type SentenceScoreMethod,
  type TokenClassificationData,
} from '../core/token-classification/index.js';
import { getLabelQualityScores as singleLabelScores } from '../core/rank.js';
import { probMatrix, type FilterBy, type RankBy } from '../core/types.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy } from '../io/npy.js';
import { describeValue, toLabels, validateClassNames, validatePredProbs } from '../io/validate.js';
import {
  tokenLabelIssuesOptionsSchema,
  tokenLabelIssuesRequestSchema,
  tokenLabelIssuesResponseSchema,
  tokenLabelQualityScoresOptionsSchema,
  tokenLabelQualityScoresRequestSchema,
  tokenLabelQualityScoresResponseSchema,
  type TokenLabelIssuesOptions,
  type TokenLabelQualityScoresOptions,
} from '../schemas/token-classification.js';
import { requireField, requirePart, splitPayload } from './input.js';
import { checkNumToRemovePerClass } from './options.js';
import type { EndpointSpec, RequestPayload, ServiceResult } from './types.js';

const LABELS_HINT = 'the given label of every token, one list per sentence (int[S][*])';
const PRED_PROBS_HINT = 'one T_i×K array of predicted probabilities per sentence (number[S][*][K])';
const NPY_HINT = {
  pred_probs: 'a T×K float .npy of every token’s predicted probabilities (sentences concatenated)',
  labels: 'a 1-D int .npy of every token’s given label (sentences concatenated)',
  sentence_lengths: 'a 1-D int .npy of the number of tokens of each sentence',
};

export interface TokenInput {
  data: TokenClassificationData;
  tokens: string[][] | null;
  classNames: string[] | undefined;
}

function arrayAt(v: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(v)) throw new InputError(path.split('[')[0]!, `${path} must be ${what}, got ${describeValue(v)}`, { path });
  return v;
}

/** JSON: nested sentences → flat arrays, naming `labels[i][j]` / `pred_probs[i][j]` on errors. */
function decodeJson(json: Record<string, unknown>): { data: TokenClassificationData; tokens: string[][] | null } {
  const labels = arrayAt(requireField(json, 'labels', LABELS_HINT), 'labels', 'a list of sentences');
  const pp = arrayAt(requireField(json, 'pred_probs', PRED_PROBS_HINT), 'pred_probs', 'a list of sentences');
  if (pp.length !== labels.length) {
    throw new InputError('pred_probs', `pred_probs has ${pp.length} sentences but labels has ${labels.length}; give one per sentence`);
  }
  const s = labels.length;
  if (s < 1) throw new InputError('labels', 'labels is empty: it needs at least one sentence');
  const lengths = new Int32Array(s);
  let t = 0;
  let k = -1;
  for (let i = 0; i < s; i++) {
    const li = arrayAt(labels[i], `labels[${i}]`, 'a list of token labels');
    const pi = arrayAt(pp[i], `pred_probs[${i}]`, 'a list of probability rows');
    if (pi.length !== li.length) {
      throw new InputError('pred_probs', `pred_probs[${i}] has ${pi.length} rows but labels[${i}] has ${li.length} tokens (ragged sentence)`, {
        path: `pred_probs[${i}]`,
      });
    }
    for (let j = 0; j < pi.length; j++) {
      const row = arrayAt(pi[j], `pred_probs[${i}][${j}]`, 'a list of K probabilities');
      if (k < 0) k = row.length;
      else if (row.length !== k) {
        throw new InputError('pred_probs', `pred_probs[${i}][${j}] has ${row.length} values; every token needs K = ${k}`, {
          path: `pred_probs[${i}][${j}]`,
        });
      }
    }
    lengths[i] = li.length;
    t += li.length;
  }
  if (t < 1) throw new InputError('labels', 'labels has no tokens: at least one token is required');
  const flat = new Float64Array(t * k);
  const flatLabels = new Float64Array(t);
  let f = 0;
  for (let i = 0; i < s; i++) {
    const li = labels[i] as unknown[];
    const pi = pp[i] as unknown[][];
    for (let j = 0; j < li.length; j++, f++) {
      const y = li[j];
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= k) {
        throw new InputError('labels', `labels[${i}][${j}] = ${describeValue(y)} is not a class index in [0, ${k - 1}] (pred_probs has K = ${k} columns)`, {
          path: `labels[${i}][${j}]`,
        });
      }
      flatLabels[f] = y;
      const row = pi[j]!;
      for (let c = 0; c < k; c++) {
        const v = row[c];
        flat[f * k + c] = typeof v === 'number' ? v : NaN;
      }
    }
  }
  const data = { labels: toLabels(flatLabels, k, 'labels', t), pp: probMatrix(flat, t, k), sentenceLengths: lengths };
  let tokens: string[][] | null = null;
  if (json.tokens !== undefined && json.tokens !== null) {
    const tk = arrayAt(json.tokens, 'tokens', 'a list of sentences');
    if (tk.length !== s) throw new InputError('tokens', `tokens has ${tk.length} sentences but labels has ${s}`);
    tokens = tk.map((sent, i) => {
      const words = arrayAt(sent, `tokens[${i}]`, 'a list of words');
      if (words.length !== lengths[i]) {
        throw new InputError('tokens', `tokens[${i}] has ${words.length} words but labels[${i}] has ${lengths[i]} tokens`, { path: `tokens[${i}]` });
      }
      words.forEach((w, j) => {
        if (typeof w !== 'string') throw new InputError('tokens', `tokens[${i}][${j}] must be a string, got ${describeValue(w)}`, { path: `tokens[${i}][${j}]` });
      });
      return words as string[];
    });
  }
  return { data, tokens };
}

/** multipart: pred_probs T×K, labels T, sentence_lengths S. */
function decodeNpy(parts: Record<string, Uint8Array>): TokenClassificationData {
  const pp = npyToProbMatrix(parseNpy(requirePart(parts, 'pred_probs', NPY_HINT.pred_probs), 'pred_probs'), 'pred_probs');
  const labels = toLabels(npyToLabelValues(parseNpy(requirePart(parts, 'labels', NPY_HINT.labels), 'labels'), 'labels'), pp.k, 'labels', pp.n);
  const rawLengths = npyToLabelValues(parseNpy(requirePart(parts, 'sentence_lengths', NPY_HINT.sentence_lengths), 'sentence_lengths'), 'sentence_lengths');
  const lengths = toLabels(rawLengths, Number.MAX_SAFE_INTEGER, 'sentence_lengths');
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += lengths[i]!;
  if (total !== pp.n) {
    throw new InputError('sentence_lengths', `sentence_lengths sum to ${total} tokens but pred_probs has ${pp.n} rows; they must match`);
  }
  return { labels, pp, sentenceLengths: lengths };
}

function decode<O extends { class_names?: string[] | undefined }>(
  payload: RequestPayload,
  schema: Parameters<typeof splitPayload<O>>[1],
  withTokens: boolean,
): { input: TokenInput; options: O } {
  const arrays = withTokens ? ['labels', 'pred_probs', 'tokens'] : ['labels', 'pred_probs'];
  const { options, json, parts } = splitPayload(payload, schema, arrays, 'token-classification');
  const { data, tokens } = json ? decodeJson(json) : { data: decodeNpy(parts), tokens: null };
  validatePredProbs(data.pp, 'pred_probs');
  const classNames = validateClassNames(options.class_names, data.pp.k);
  return { input: { data, tokens, classNames }, options };
}

function nested(flat: Float64Array, offsets: Int32Array): number[][] {
  const out: number[][] = new Array(offsets.length - 1);
  for (let i = 0; i < out.length; i++) out[i] = Array.from(flat.subarray(offsets[i]!, offsets[i + 1]!));
  return out;
}

export function tokenLabelIssues(input: TokenInput, o: TokenLabelIssuesOptions): Record<string, unknown> {
  const { data, tokens, classNames } = input;
  const { k } = data.pp;
  checkNumToRemovePerClass(o.num_to_remove_per_class, k);
  const warnings: string[] = [];
  const rankBy = o.rank_by as RankBy;
  // low_memory ignores the pass-through options: only those the request set are warned about
  const found = findLabelIssues(data, {
    rankBy,
    lowMemory: o.low_memory,
    warnings,
    ...(o.low_memory
      ? {}
      : {
          filterBy: o.filter_by as FilterBy,
          fracNoise: o.frac_noise,
          minExamplesPerClass: o.min_examples_per_class,
          ...(o.num_to_remove_per_class ? { numToRemovePerClass: o.num_to_remove_per_class } : {}),
        }),
  });
  const quality = singleLabelScores(data.labels, data.pp, { method: rankBy });
  const off = sentenceOffsets(data.sentenceLengths);
  const shown = o.limit === 0 ? found.flat.length : Math.min(o.limit, found.flat.length);
  const d = data.pp.data;
  const issues = new Array(shown);
  for (let r = 0; r < shown; r++) {
    const f = found.flat[r]!;
    const [i, j] = found.issues[r]!;
    const given = data.labels[f]!;
    const suggested = firstArgmax(d, f * k, k);
    issues[r] = {
      sentence: i,
      token: j,
      given_label: given,
      suggested_label: suggested,
      ...(classNames ? { given_class_name: classNames[given]!, suggested_class_name: classNames[suggested]! } : {}),
      label_quality: quality[f]!,
      ...(tokens ? { token_text: tokens[i]![j]! } : {}),
    };
  }
  let scores: Record<string, unknown> = {};
  if (o.include_scores) {
    const s = getLabelQualityScores(data);
    scores = { sentence_scores: Array.from(s.sentenceScores), token_scores: nested(s.flatTokenScores, off) };
  }
  return {
    num_sentences: data.sentenceLengths.length,
    num_tokens: data.labels.length,
    num_label_issues: found.flat.length,
    label_issues: issues,
    ...(tokens ? { common_label_issues: commonLabelIssues(found.issues, tokens, { data }) } : {}),
    ...scores,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export function tokenLabelQualityScores(input: TokenInput, o: TokenLabelQualityScoresOptions): Record<string, unknown> {
  const { data } = input;
  const t = o.sentence_score_kwargs.temperature;
  const s = getLabelQualityScores(data, {
    tokenScoreMethod: o.token_score_method as RankBy,
    sentenceScoreMethod: o.sentence_score_method as SentenceScoreMethod,
    ...(t !== undefined ? { temperature: t === 'inf' ? Infinity : t } : {}),
  });
  const body: Record<string, unknown> = {
    sentence_scores: Array.from(s.sentenceScores),
    token_scores: nested(s.flatTokenScores, sentenceOffsets(data.sentenceLengths)),
  };
  if (o.threshold !== undefined) {
    body.issues = tokenIssuesFromScores(s.tokenScores, o.threshold);
    body.sentence_issues = Array.from(sentenceIssuesFromScores(s.sentenceScores, o.threshold));
  }
  return body;
}

function endpoint<O extends { class_names?: string[] | undefined }>(
  spec: Omit<EndpointSpec, 'handle' | 'fileParts'>,
  withTokens: boolean,
  compute: (input: TokenInput, o: O) => Record<string, unknown>,
): EndpointSpec {
  return {
    ...spec,
    fileParts: ['pred_probs', 'labels', 'sentence_lengths'],
    handle(payload: RequestPayload): ServiceResult {
      const { input, options } = decode(payload, spec.optionsSchema as Parameters<typeof splitPayload<O>>[1], withTokens);
      return { body: compute(input, options), n: input.data.pp.n, k: input.data.pp.k };
    },
  };
}

export const tokenLabelIssuesEndpoint = endpoint<TokenLabelIssuesOptions>(
  {
    name: 'token-classification/label-issues',
    path: '/v1/token-classification/label-issues',
    summary: 'Find mislabelled tokens (NER, POS tagging)',
    description:
      "cleanlab's token_classification.filter.find_label_issues: the tokens are flattened into the single-label engine (every filter_by, frac_noise, min_examples_per_class, num_to_remove_per_class), ranked by `rank_by`, and reported as (sentence, token). With `tokens`, cleanlab's common_label_issues summary is added.",
    requestSchema: tokenLabelIssuesRequestSchema,
    optionsSchema: tokenLabelIssuesOptionsSchema,
    responseSchema: tokenLabelIssuesResponseSchema,
  },
  true,
  tokenLabelIssues,
);

export const tokenLabelQualityScoresEndpoint = endpoint<TokenLabelQualityScoresOptions>(
  {
    name: 'token-classification/label-quality-scores',
    path: '/v1/token-classification/label-quality-scores',
    summary: 'Score every token and sentence (lower = more likely mislabelled)',
    description:
      "cleanlab's token_classification.rank.get_label_quality_scores (token scores pooled per sentence by `min` or `softmin`) and, with `threshold`, rank.issues_from_scores at token and sentence level (400 where cleanlab raises: every sentence below the threshold).",
    requestSchema: tokenLabelQualityScoresRequestSchema,
    optionsSchema: tokenLabelQualityScoresOptionsSchema,
    responseSchema: tokenLabelQualityScoresResponseSchema,
  },
  false,
  tokenLabelQualityScores,
);
