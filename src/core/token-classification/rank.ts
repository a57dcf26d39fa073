/**
 * cleanlab `token_classification.rank` (spec task-types.md A2, A3): token scores are the
 * single-label label quality scores of the flattened tokens (rank.ts, no second copy);
 * sentence scores pool them by `min` or `softmin`.
 */
import { argsortBy, argsortStable, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import { getLabelQualityScores as singleLabelScores } from '../rank.js';
import { dot, softmax } from '../float-kernels.js';
import type { RankBy } from '../types.js';
import { assertTokenShapes, sentenceOffsets, type TokenClassificationData, type TokenIssue } from './data.js';

export type SentenceScoreMethod = 'min' | 'softmin';
export const SENTENCE_SCORE_METHODS: readonly SentenceScoreMethod[] = ['min', 'softmin'];

export interface TokenLabelQualityOptions {
  tokenScoreMethod?: RankBy;
  sentenceScoreMethod?: SentenceScoreMethod;
  /** softmin temperature (cleanlab's sentence_score_kwargs["temperature"], default 0.05) */
  temperature?: number;
}

export interface TokenLabelQualityScores {
  /** one score per sentence (lower = more likely to contain a label issue) */
  sentenceScores: Float64Array;
  /** every token's score, flat (T) */
  flatTokenScores: Float64Array;
  /** tokenScores[i] = sentence i's token scores (views into flatTokenScores) */
  tokenScores: Float64Array[];
}

/** cleanlab's AssertionError for an unknown sentence_score_method. */
export function assertSentenceScoreMethod(method: unknown, field = 'sentence_score_method'): asserts method is SentenceScoreMethod {
  if (!SENTENCE_SCORE_METHODS.includes(method as SentenceScoreMethod)) {
    throw new InputError(field, 'Select from the following methods:\nmin\nsoftmin');
  }
}

function emptySentence(i: number, reduction: 'minimum' | 'maximum'): InputError {
  return new InputError('labels', `zero-size array to reduction operation ${reduction} which has no identity`, { row: i });
}

/** Sentence score of scores[a..b) (spec A2 step 4). `buf` holds ≥ b − a values. */
function sentenceScore(t: Float64Array, a: number, b: number, method: SentenceScoreMethod, temperature: number, buf: Float64Array, i: number): number {
  const n = b - a;
  const useMin = method === 'min' || temperature === 0;
  if (n === 0) {
    if (useMin) throw emptySentence(i, 'minimum');
    if (temperature === Infinity) return NaN; // np.mean of an empty array
    throw emptySentence(i, 'maximum');
  }
  if (useMin) {
    let m = t[a]!;
    for (let f = a + 1; f < b; f++) {
      const v = t[f]!;
      if (v < m || v !== v) m = v; // np.min propagates NaN
      if (m !== m) break;
    }
    return m;
  }
  if (temperature === Infinity) return pairwiseSum(t, a, b) / n;
  softmax(t, temperature, buf, a, n, (v) => 1 - v);
  return dot(t, buf, n, a, 0);
}

/**
 * cleanlab `token_classification.rank.get_label_quality_scores(labels, pred_probs,
 * token_score_method=…, sentence_score_method=…, sentence_score_kwargs={temperature})`.
 */
export function getLabelQualityScores(data: TokenClassificationData, opts: TokenLabelQualityOptions = {}): TokenLabelQualityScores {
  const method = opts.sentenceScoreMethod ?? 'min';
  assertSentenceScoreMethod(method);
  assertTokenShapes(data);
  const flat = singleLabelScores(data.labels, data.pp, { method: opts.tokenScoreMethod ?? 'self_confidence' });
  const off = sentenceOffsets(data.sentenceLengths);
  const s = data.sentenceLengths.length;
  const temperature = opts.temperature ?? 0.05;
  let longest = 0;
  for (let i = 0; i < s; i++) longest = Math.max(longest, data.sentenceLengths[i]!);
  const buf = new Float64Array(longest);
  const sentenceScores = new Float64Array(s);
  const tokenScores: Float64Array[] = new Array(s);
  for (let i = 0; i < s; i++) {
    sentenceScores[i] = sentenceScore(flat, off[i]!, off[i + 1]!, method, temperature, buf, i);
    tokenScores[i] = flat.subarray(off[i]!, off[i + 1]!);
  }
  return { sentenceScores, flatTokenScores: flat, tokenScores };
}

/**
 * Token level of cleanlab `issues_from_scores` (A3): every token with score < threshold,
 * lowest score first, ties in sentence-then-token order (Python's stable sort).
 */
export function tokenIssuesFromScores(tokenScores: readonly ArrayLike<number>[], threshold = 0.1): TokenIssue[] {
  const pos: TokenIssue[] = [];
  const keys: number[] = [];
  tokenScores.forEach((sent, i) => {
    for (let j = 0; j < sent.length; j++) {
      const v = sent[j]!;
      if (v < threshold) {
        pos.push([i, j]);
        keys.push(v);
      }
    }
  });
  const ord = argsortStable(keys);
  return Array.from(ord, (o) => pos[o]!);
}

/**
 * Sentence level of cleanlab `issues_from_scores` (A3, sort site T1): the sentences whose
 * score is < threshold, lowest first. Like cleanlab, raises when every sentence is below.
 */
export function sentenceIssuesFromScores(sentenceScores: ArrayLike<number>, threshold = 0.1, tieOrder: TieOrder = 'stable'): Int32Array {
  const n = sentenceScores.length;
  const ord = argsortBy(sentenceScores, tieOrder);
  let c = 0;
  while (c < n && sentenceScores[ord[c]!]! < threshold) c++;
  if (c === n) throw new InputError('threshold', `index ${n} is out of bounds for axis 0 with size ${n}`);
  return ord.slice(0, c);
}

/**
 * cleanlab `token_classification.rank.issues_from_scores(sentence_scores, token_scores=…,
 * threshold=…)`: token pairs when token scores are given (non-empty), else sentence indices.
 */
export function issuesFromScores(
  sentenceScores: ArrayLike<number>,
  opts: { tokenScores?: readonly ArrayLike<number>[] | null; threshold?: number; tieOrder?: TieOrder } = {},
): TokenIssue[] | Int32Array {
  const threshold = opts.threshold ?? 0.1;
  if (opts.tokenScores && opts.tokenScores.length > 0) return tokenIssuesFromScores(opts.tokenScores, threshold);
  return sentenceIssuesFromScores(sentenceScores, threshold, opts.tieOrder ?? 'stable');
}
