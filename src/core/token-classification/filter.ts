/**
 * cleanlab `token_classification.filter.find_label_issues` (spec task-types.md A4).
 * Default path: the single-label find_label_issues of filter.ts on the flattened tokens,
 * ranked, mapped back to (sentence, token). `lowMemory`: the batched inspector (Part B) in
 * batches of 10000 tokens, then the near-argmax filter, issues in increasing token order.
 */
import { assertValidLabels, assertValidRange, clampedRange } from '../count.js';
import { findLabelIssuesRanked, type FindLabelIssuesOptions } from '../filter.js';
import { LabelInspector, markLabelIssues, rowMajorRun } from '../label-inspector.js';
import { givenIsNearArgmax } from '../numeric.js';
import { assertScoringOptions } from '../rank.js';
import type { RankBy } from '../types.js';
import { assertTokenShapes, sentenceOffsets, toTokenIssues, type TokenClassificationData, type TokenIssue } from './data.js';

/** Rows per batch of the low-memory path (cleanlab's default). */
export const LOW_MEMORY_BATCH_SIZE = 10000;

export interface TokenFindLabelIssuesOptions extends FindLabelIssuesOptions {
  /** cleanlab's return_indices_ranked_by (default self_confidence; None is not supported) */
  rankBy?: RankBy;
  /** rank_by_kwargs.adjust_pred_probs */
  adjustPredProbs?: boolean;
  lowMemory?: boolean;
  /** cleanlab's warnings are appended here */
  warnings?: string[];
}

export interface TokenLabelIssues {
  /** flagged tokens as flat indices, in cleanlab's order */
  flat: Int32Array;
  /** the same as (sentence, token) pairs */
  issues: TokenIssue[];
}

/** Options that cleanlab passes through **kwargs, with their Python names (A4 low_memory warnings). */
const PASS_THROUGH: readonly [keyof TokenFindLabelIssuesOptions, string][] = [
  ['filterBy', 'filter_by'],
  ['fracNoise', 'frac_noise'],
  ['numToRemovePerClass', 'num_to_remove_per_class'],
  ['minExamplesPerClass', 'min_examples_per_class'],
  ['confidentJoint', 'confident_joint'],
  ['adjustPredProbs', 'rank_by_kwargs'],
];

export function lowMemoryIgnoredWarning(name: string): string {
  return `\`${name}\` is not used when \`low_memory=True\`.`;
}

/** The batched-inspector path of A4 (low_memory=True): flagged flat indices, increasing. */
function findLowMemory(data: TokenClassificationData, rankBy: RankBy, opts: TokenFindLabelIssuesOptions): Int32Array {
  const { labels, pp } = data;
  const k = pp.k;
  const t = pp.n;
  assertValidLabels(labels, pp, true);
  const range = clampedRange(pp);
  assertValidRange(range);
  assertScoringOptions(rankBy, false, range, 'rank_by');
  const inspector = new LabelInspector(k, rankBy);
  for (let a = 0; a < t; a += LOW_MEMORY_BATCH_SIZE) {
    inspector.updateThresholds([rowMajorRun(labels, pp.data, k, a, Math.min(LOW_MEMORY_BATCH_SIZE, t - a))]);
  }
  const scores = new Float64Array(t);
  for (let a = 0; a < t; a += LOW_MEMORY_BATCH_SIZE) {
    inspector.scoreBatch([rowMajorRun(labels, pp.data, k, a, Math.min(LOW_MEMORY_BATCH_SIZE, t - a))], scores, a);
  }
  const mask = new Uint8Array(t);
  markLabelIssues(scores, inspector.numIssues, opts.tieOrder ?? 'stable', mask);
  const out: number[] = [];
  for (let f = 0; f < t; f++) {
    if (mask[f] && !givenIsNearArgmax(pp.data, f * k, k, labels[f]!)) out.push(f);
  }
  return Int32Array.from(out);
}

/**
 * cleanlab `token_classification.filter.find_label_issues(labels, pred_probs,
 * return_indices_ranked_by=rankBy, low_memory=…, **kwargs)`.
 */
export function findLabelIssues(data: TokenClassificationData, opts: TokenFindLabelIssuesOptions = {}): TokenLabelIssues {
  assertTokenShapes(data);
  const rankBy = opts.rankBy ?? 'self_confidence';
  let flat: Int32Array;
  if (opts.lowMemory) {
    for (const [key, name] of PASS_THROUGH) if (opts[key] !== undefined) opts.warnings?.push(lowMemoryIgnoredWarning(name));
    flat = findLowMemory(data, rankBy, opts);
  } else {
    flat = findLabelIssuesRanked(data.labels, data.pp, { ...opts, rankBy });
  }
  return { flat, issues: toTokenIssues(flat, sentenceOffsets(data.sentenceLengths)) };
}
