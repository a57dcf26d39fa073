/**
 * Token-classification inputs (spec task-types.md A1) in the flat layout the engine works
 * on: all sentences concatenated (labels T, pred_probs T×K row-major) plus the sentence
 * lengths. Flat token index f ↔ (sentence i, token j) by walking the lengths.
 */
import { InputError } from '../errors.js';
import { probMatrix, type ProbMatrix } from '../types.js';

export interface TokenClassificationData {
  /** given label of every token, sentences concatenated (T) */
  labels: Int32Array;
  /** T×K predicted probabilities, rows = tokens in the same order */
  pp: ProbMatrix;
  /** tokens per sentence (S); they sum to T */
  sentenceLengths: Int32Array;
}

/** A token issue as cleanlab returns it: (sentence index, token index within the sentence). */
export type TokenIssue = [sentence: number, token: number];

/** offsets[i] = flat index of sentence i's first token; offsets[S] = T. */
export function sentenceOffsets(lengths: ArrayLike<number>): Int32Array {
  const s = lengths.length;
  const off = new Int32Array(s + 1);
  for (let i = 0; i < s; i++) off[i + 1] = off[i]! + lengths[i]!;
  return off;
}

/** Sentence i of every flat index (T). */
export function sentenceOfToken(offsets: Int32Array): Int32Array {
  const s = offsets.length - 1;
  const out = new Int32Array(offsets[s]!);
  for (let i = 0; i < s; i++) out.fill(i, offsets[i]!, offsets[i + 1]!);
  return out;
}

/** Map flat token indices to (sentence, token) pairs, keeping their order. */
export function toTokenIssues(flat: ArrayLike<number>, offsets: Int32Array): TokenIssue[] {
  const s = offsets.length - 1;
  const out: TokenIssue[] = new Array(flat.length);
  for (let t = 0; t < flat.length; t++) {
    const f = flat[t]!;
    // binary search: last sentence with offsets[i] ≤ f (empty sentences share an offset)
    let lo = 0;
    let hi = s - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offsets[mid]! <= f) lo = mid;
      else hi = mid - 1;
    }
    out[t] = [lo, f - offsets[lo]!];
  }
  return out;
}

/** Check that the flat arrays agree with the sentence lengths (field names as in the API). */
export function assertTokenShapes(data: TokenClassificationData): void {
  const { labels, pp, sentenceLengths } = data;
  let total = 0;
  for (let i = 0; i < sentenceLengths.length; i++) {
    const len = sentenceLengths[i]!;
    if (!(len >= 0) || !Number.isInteger(len)) {
      throw new InputError('sentence_lengths', `sentence_lengths[${i}] = ${len} is not a non-negative integer.`, { row: i });
    }
    total += len;
  }
  if (labels.length !== total) {
    throw new InputError('labels', `labels has ${labels.length} tokens but sentence_lengths sum to ${total}.`);
  }
  if (pp.n !== total) {
    throw new InputError('pred_probs', `pred_probs has ${pp.n} rows but there are ${total} tokens (one row per token).`);
  }
}

/**
 * Flatten cleanlab's nested inputs — labels[i][j], pred_probs[i][j][k] — checking that
 * every sentence has one probability row per label and every row K values.
 */
export function tokenClassificationData(labels: readonly (readonly number[])[], predProbs: readonly (readonly (readonly number[])[])[]): TokenClassificationData {
  if (labels.length !== predProbs.length) {
    throw new InputError('pred_probs', `pred_probs has ${predProbs.length} sentences, labels has ${labels.length}.`);
  }
  const lengths = new Int32Array(labels.length);
  let total = 0;
  let k = -1;
  for (let i = 0; i < labels.length; i++) {
    const n = labels[i]!.length;
    if (predProbs[i]!.length !== n) {
      throw new InputError('pred_probs', `pred_probs[${i}] has ${predProbs[i]!.length} rows but labels[${i}] has ${n} tokens.`, {
        row: i,
      });
    }
    for (const row of predProbs[i]!) {
      if (k < 0) k = row.length;
      else if (row.length !== k) {
        throw new InputError('pred_probs', `pred_probs[${i}] has a row of ${row.length} classes; expected ${k}.`, { row: i });
      }
    }
    lengths[i] = n;
    total += n;
  }
  const flatLabels = new Int32Array(total);
  const data = new Float64Array(total * Math.max(k, 0));
  let f = 0;
  for (let i = 0; i < labels.length; i++) {
    const li = labels[i]!;
    for (let j = 0; j < li.length; j++, f++) {
      flatLabels[f] = li[j]!;
      data.set(predProbs[i]![j]!, f * k);
    }
  }
  return { labels: flatLabels, pp: probMatrix(data, total, Math.max(k, 0)), sentenceLengths: lengths };
}
